// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateEnvironment } from '../core/settings';
import type { Environment } from '../core/types';
import { App, type OptionsApi } from './App';

afterEach(cleanup);

function existing(label: string, learner: string): Environment {
  const r = validateEnvironment(
    { label, learnerPortals: learner, adminPortals: '', lms: 'https://lms.acme.org', jwtCookiePrefix: '' },
    [],
  );
  if (!r.ok) throw new Error('bad fixture');
  return r.environment;
}

function fakeApi(initial: Environment[] = [], over: Partial<OptionsApi> = {}) {
  const api = {
    load: vi.fn(async () => initial),
    save: vi.fn(async (_custom: Environment[]) => undefined),
    watch: vi.fn(() => () => undefined),
    request: vi.fn(async (_origins: string[]) => true),
    release: vi.fn(async (_origins: string[]) => undefined),
    contains: vi.fn(async (_origins: string[]) => true),
    shortcut: vi.fn(async () => 'Alt+Shift+I'),
    ...over,
  };
  return api;
}

async function fill(values: Record<string, string>): Promise<void> {
  // The form is usable once the saved list has been read.
  await waitFor(() => expect((screen.getByTestId('save-env') as HTMLButtonElement).disabled).toBe(false));
  for (const [k, v] of Object.entries(values))
    fireEvent.input(screen.getByTestId(`field-${k}`), { target: { value: v } });
}

const GOOD = {
  label: 'Acme',
  learnerPortals: 'https://learner.acme.org',
  lms: 'https://courses.acme.org',
  jwtCookiePrefix: 'acme-',
};

describe('options page', () => {
  it('lists the presets and the saved environments, and the shortcut', async () => {
    const api = fakeApi([existing('Mine', 'https://mine.org')]);
    render(<App api={api} />);
    expect(screen.getAllByTestId('preset-env').map((e) => e.getAttribute('data-id'))).toEqual([
      'production',
      'stage',
      'devstack',
    ]);
    const mine = await screen.findByTestId('custom-env');
    expect(within(mine).getByRole('heading').textContent).toBe('Mine');
    expect(within(mine).getByRole('button', { name: 'Delete Mine' })).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('shortcut').textContent).toContain('Alt+Shift+I'));
  });

  it('shows each bad field next to it, marks it invalid, and neither asks nor saves', async () => {
    const api = fakeApi();
    render(<App api={api} />);
    await fill({ ...GOOD, learnerPortals: 'http://learner.acme.org', lms: 'nope' });
    fireEvent.submit(screen.getByTestId('options-form'));
    expect(screen.getByTestId('error-learnerPortals').textContent).toMatch(/only https/);
    expect(screen.getByTestId('error-lms').textContent).toMatch(/not an origin/);
    expect(screen.getByTestId('field-lms').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('field-lms').getAttribute('aria-describedby')).toContain('field-lms-error');
    expect(document.activeElement).toBe(screen.getByTestId('field-learnerPortals'));
    expect(api.request).not.toHaveBeenCalled();
    expect(api.save).not.toHaveBeenCalled();
  });

  it('asks for the new host while the click is handled, then saves', async () => {
    const api = fakeApi([existing('Mine', 'https://mine.org')]);
    render(<App api={api} />);
    await screen.findByTestId('custom-env');
    await fill(GOOD);
    fireEvent.submit(screen.getByTestId('options-form'));
    // Synchronously: no await may come between the user's action and the permission request.
    expect(api.request).toHaveBeenCalledWith(['https://learner.acme.org/*']);
    await screen.findByTestId('saved');
    const saved = vi.mocked(api.save).mock.calls[0]![0];
    expect(saved.map((e) => e.label)).toEqual(['Mine', 'Acme']);
    expect(saved[1]).toMatchObject({
      learnerPortals: ['https://learner.acme.org'],
      lms: 'https://courses.acme.org',
      jwtCookiePrefix: 'acme-',
    });
    expect(screen.getAllByTestId('custom-env')).toHaveLength(2);
    expect((screen.getByTestId('field-label') as HTMLInputElement).value).toBe('');
  });

  it('saves nothing when the permission is refused, and says so', async () => {
    const api = fakeApi([], { request: vi.fn(async () => false) });
    render(<App api={api} />);
    await fill(GOOD);
    fireEvent.submit(screen.getByTestId('options-form'));
    expect((await screen.findByTestId('form-error')).textContent).toMatch(/not granted.*Nothing was saved/);
    expect(api.save).not.toHaveBeenCalled();
    expect(screen.queryByTestId('custom-env')).toBeNull();
  });

  it('gives the permission back when the write fails', async () => {
    const api = fakeApi([], {
      save: vi.fn(async () => Promise.reject(new Error('QUOTA_BYTES_PER_ITEM quota exceeded'))),
    });
    render(<App api={api} />);
    await fill(GOOD);
    fireEvent.submit(screen.getByTestId('options-form'));
    expect((await screen.findByTestId('form-error')).textContent).toMatch(/quota exceeded. Nothing was saved/);
    expect(api.release).toHaveBeenCalledWith(['https://learner.acme.org/*']);
    expect(screen.queryByTestId('custom-env')).toBeNull();
  });

  it('needs no permission for a host the manifest covers', async () => {
    const api = fakeApi();
    render(<App api={api} />);
    await fill({ ...GOOD, learnerPortals: 'http://localhost:9000' });
    fireEvent.submit(screen.getByTestId('options-form'));
    await screen.findByTestId('saved');
    expect(api.request).not.toHaveBeenCalled();
    expect(api.save).toHaveBeenCalledTimes(1);
  });

  it('deletes an environment and gives back the hosts no other one needs', async () => {
    const a = existing('A', 'https://a.org');
    const api = fakeApi([a, existing('B', 'https://b.org')]);
    render(<App api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete A' }));
    await screen.findByTestId('saved');
    expect(vi.mocked(api.save).mock.calls[0]![0].map((e) => e.label)).toEqual(['B']);
    expect(api.release).toHaveBeenCalledWith(['https://a.org/*']);
    expect(screen.getAllByTestId('custom-env')).toHaveLength(1);
  });

  it('shows a saved environment whose access was revoked, and asks again from the click', async () => {
    let granted = false;
    const api = fakeApi([existing('A', 'https://a.org')], {
      contains: vi.fn(async () => granted),
      request: vi.fn(async () => (granted = true)),
    });
    render(<App api={api} />);
    fireEvent.click(await screen.findByTestId('allow-env'));
    expect(api.request).toHaveBeenCalledWith(['https://a.org/*']);
    await waitFor(() => expect(screen.queryByTestId('no-access')).toBeNull());
  });

  it('says when the saved environments cannot be read', async () => {
    render(<App api={fakeApi([], { load: vi.fn(async () => Promise.reject(new Error('sync is off'))) })} />);
    expect((await screen.findByText(/Could not read/)).textContent).toBe(
      'Could not read the saved environments: sync is off',
    );
    expect(screen.getByTestId<HTMLButtonElement>('save-env').disabled).toBe(true);
  });
});

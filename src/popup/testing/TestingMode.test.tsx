// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestingOverride } from '../../core/testing-mode';
import type { TestingCookies } from './cookies';
import { TestingMode } from './TestingMode';

afterEach(cleanup);

const LMS = 'http://localhost:18000';
const FLAG = 'enterprise.edit_highlights_enabled';

/** Cookies of one LMS in memory, with a permission the user grants (or refuses) when asked. */
function fakeCookies(grant: boolean, granted = false) {
  const jar = new Map<string, TestingOverride>();
  const cookies: TestingCookies & { asked: number } = {
    asked: 0,
    allowed: vi.fn(async () => granted),
    request: vi.fn(async () => {
      cookies.asked += 1;
      granted = granted || grant;
      return granted;
    }),
    read: vi.fn(async (_lms: string, flag: string) => jar.get(flag) ?? null),
    write: vi.fn(async (_lms: string, flag: string, o: TestingOverride) => {
      if (!granted) throw new Error('no permission');
      if (o === null) jar.delete(flag);
      else jar.set(flag, o);
    }),
  };
  return { cookies, jar };
}

function mount(cookies: TestingCookies, reload = vi.fn(async () => undefined)) {
  render(<TestingMode flag={FLAG} lms={LMS} cookies={cookies} reload={reload} />);
  return reload;
}

describe('testing mode in an open row', () => {
  it('asks for the permission at the first click, forces on, then off, then clears; says it is not the BFF', async () => {
    const { cookies, jar } = fakeCookies(true);
    const reload = mount(cookies);
    expect(screen.getByTestId('testing-state').textContent).toMatch(/force it for this browser/);
    expect(screen.getByTestId('testing-mode').textContent).toMatch(/not the BFF/);
    expect(screen.getByTestId('testing-mode').textContent).toContain(`dwft_${FLAG}`);
    expect(cookies.asked).toBe(0);
    expect(screen.queryByTestId('force-clear')).toBeNull();

    fireEvent.click(screen.getByTestId('force-on'));
    await waitFor(() => expect(screen.getByTestId('testing-state').textContent).toMatch(/forced on in this browser/));
    expect(cookies.asked).toBe(1);
    expect(jar.get(FLAG)).toBe('on');
    expect(screen.getByTestId('force-on').getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(screen.getByTestId('force-off'));
    await waitFor(() => expect(screen.getByTestId('testing-state').textContent).toMatch(/forced off/));
    expect(jar.get(FLAG)).toBe('off');

    fireEvent.click(screen.getByTestId('force-reload'));
    expect(reload).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByTestId('force-clear'));
    await waitFor(() => expect(screen.getByTestId('testing-state').textContent).toMatch(/no override/));
    expect(jar.has(FLAG)).toBe(false);
  });

  it('shows the override already set when the permission was granted before', async () => {
    const { cookies, jar } = fakeCookies(true, true);
    jar.set(FLAG, 'off');
    mount(cookies);
    await waitFor(() => expect(screen.getByTestId('testing-mode').getAttribute('data-override')).toBe('off'));
    expect(screen.getByTestId('force-clear')).toBeTruthy();
    expect(cookies.asked).toBe(0);
  });

  it('refused permission: says so and changes nothing', async () => {
    const { cookies, jar } = fakeCookies(false);
    mount(cookies);
    fireEvent.click(screen.getByTestId('force-off'));
    await waitFor(() =>
      expect(screen.getByTestId('testing-error').textContent).toBe(
        'The browser did not allow cookies on http://localhost:18000, so nothing was changed.',
      ),
    );
    expect(cookies.write).not.toHaveBeenCalled();
    expect(jar.size).toBe(0);
  });
});

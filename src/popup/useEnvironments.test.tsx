// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, expect, it, vi } from 'vitest';
import type { Environment } from '../core/types';

const store = vi.hoisted(() => ({
  custom: [] as Environment[],
  fail: false,
  listeners: new Set<(custom: Environment[]) => void>(),
}));

vi.mock('../platform/settings-store', () => ({
  loadCustomEnvironments: async () => (store.fail ? Promise.reject(new Error('no sync')) : store.custom),
  watchCustomEnvironments: (cb: (custom: Environment[]) => void) => {
    store.listeners.add(cb);
    return () => store.listeners.delete(cb);
  },
}));

const { useEnvironments } = await import('./useEnvironments');

const acme: Environment = {
  id: 'custom-acme',
  label: 'Acme',
  preset: false,
  learnerPortals: ['https://learner.acme.org'],
  adminPortals: [],
  lms: 'https://courses.acme.org',
  enterpriseAccess: null,
  jwtCookiePrefix: 'acme-',
};

function Show() {
  return (
    <p data-testid="ids">
      {useEnvironments()
        .map((e) => e.id)
        .join(' ')}
    </p>
  );
}

afterEach(() => {
  cleanup();
  store.custom = [];
  store.fail = false;
});

it('starts with the presets, adds the saved environments first, and follows changes', async () => {
  store.custom = [acme];
  render(<Show />);
  await waitFor(() => expect(screen.getByTestId('ids').textContent).toBe('custom-acme production stage devstack'));
  store.listeners.forEach((cb) => cb([]));
  await waitFor(() => expect(screen.getByTestId('ids').textContent).toBe('production stage devstack'));
  cleanup();
  expect(store.listeners.size).toBe(0);
});

it('keeps the presets when storage cannot be read', async () => {
  store.fail = true;
  render(<Show />);
  await waitFor(() => expect(screen.getByTestId('ids').textContent).toBe('production stage devstack'));
});

// The user's environments in `storage.sync` (shared across their browsers when sync is on): read,
// written and watched here only. Validation is in core/settings.ts.
import { ENVIRONMENTS_KEY, readCustomEnvironments, storedValue } from '../core/settings';
import type { Environment } from '../core/types';
import { browser, type Storage } from './browser';

export async function loadCustomEnvironments(): Promise<Environment[]> {
  const items = await browser.storage.sync.get(ENVIRONMENTS_KEY);
  return readCustomEnvironments(items[ENVIRONMENTS_KEY]);
}

export async function saveCustomEnvironments(custom: readonly Environment[]): Promise<void> {
  await browser.storage.sync.set({ [ENVIRONMENTS_KEY]: storedValue(custom) });
}

/** Calls `onChange` with the new list whenever it changes; returns the function that stops watching. */
export function watchCustomEnvironments(onChange: (custom: Environment[]) => void): () => void {
  const listener = (changes: Record<string, Storage.StorageChange>, area: string): void => {
    const change = changes[ENVIRONMENTS_KEY];
    if (area === 'sync' && change) onChange(readCustomEnvironments(change.newValue));
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

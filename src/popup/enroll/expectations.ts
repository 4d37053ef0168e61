// Expectations survive the popup closing while the tab reloads: kept in storage.session per tab
// (extension pages only; the background removes them when the tab closes).
import { expectKey } from '../../core/storage-keys';
import type { Expectation } from '../../core/verify';
import { browser } from '../../platform/browser';

export async function loadExpectations(tabId: number): Promise<Expectation[]> {
  const key = expectKey(tabId);
  const items = await browser.storage.session.get(key);
  const list = items[key];
  return Array.isArray(list) ? (list as Expectation[]) : [];
}

/** Keeps one expectation per flag: the latest. */
export async function saveExpectation(tabId: number, expectation: Expectation): Promise<Expectation[]> {
  const list = (await loadExpectations(tabId)).filter((e) => e.flag !== expectation.flag);
  const next = [...list, expectation].slice(-20);
  await browser.storage.session.set({ [expectKey(tabId)]: next });
  return next;
}

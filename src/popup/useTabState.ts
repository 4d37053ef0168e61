// The popup's data: which tab it is about, and that tab's state as the background keeps it in
// `storage.session`, kept live.
import { useLayoutEffect, useState } from 'preact/hooks';
import type { TabState } from '../core/types';
import { decodeTabState, tabKey } from '../core/storage-keys';
import { browser, type Storage, type Tabs } from '../platform/browser';
import type { PopupView } from './model';

/**
 * The tab id named by `?tabId=N` in the popup's own URL (Firefox tests open the popup page in a tab
 * of its own, bound to a portal tab), or null.
 */
export function tabIdFromSearch(search: string): number | null {
  const raw = new URLSearchParams(search).get('tabId');
  if (raw === null || !/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The state to show for a tab, or null when it is someone else's: another tab's, or a page at another
 * origin than the tab shows now (the tab navigated away and the background has not caught up).
 */
export function currentState(
  tabId: number,
  tabUrl: string | null,
  state: TabState | null | undefined,
): TabState | null {
  // `undefined`: the background did not answer (it answers nothing to a sender it does not trust).
  if (typeof state !== 'object' || state === null || state.tabId !== tabId) return null;
  if (tabUrl === null) return state;
  let origin: string;
  try {
    origin = new URL(tabUrl).origin;
  } catch {
    return null;
  }
  return origin === state.origin ? state : null;
}

interface TabRef {
  id: number;
  url: string | null;
}

async function findTab(search: string): Promise<TabRef | null> {
  const bound = tabIdFromSearch(search);
  if (bound !== null) {
    const tab = await browser.tabs.get(bound);
    return { id: bound, url: tab.url ?? null };
  }
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  if (!tab || tab.id === undefined) return null;
  return { id: tab.id, url: tab.url ?? null };
}

/**
 * The tab's state, read from `storage.session` where the background keeps it: one call to the browser,
 * where asking the background would be a message to the worker (waking it if it was stopped), its own
 * storage read, and the answer back, all with the state copied at every step (docs/BENCHMARKS.md).
 */
async function readState(tabId: number): Promise<TabState | null> {
  const key = tabKey(tabId);
  const items = await browser.storage.session.get(key);
  return decodeTabState(items[key]);
}

function message(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}

export function useTabState(search: string = location.search): PopupView {
  const [view, setView] = useState<PopupView>({ status: 'loading' });

  // A layout effect: it runs as soon as the "Reading this tab…" view is rendered, where Preact runs a
  // plain effect only after the next frame is painted, which would delay asking by a frame or more.
  useLayoutEffect(() => {
    let closed = false;
    let asked = 0;
    let tab: TabRef | null = null;

    const show = async (read: Promise<TabState | null>): Promise<void> => {
      if (!tab) return;
      const { id, url } = tab;
      const mine = ++asked;
      try {
        const state = await read;
        if (closed || mine !== asked) return;
        setView({ status: 'ready', tabId: id, tabUrl: url, state: currentState(id, url, state) });
      } catch (e) {
        if (closed || mine !== asked) return;
        setView({
          status: 'error',
          message: `Could not read this tab's flags: ${message(e)}. Close the popup and open it again.`,
        });
      }
    };
    const refresh = (): Promise<void> => (tab ? show(readState(tab.id)) : Promise.resolve());

    const bound = tabIdFromSearch(search);
    let early: Promise<TabState | null> | null = null;
    /** The bound tab's state changed while its tab was looked up: the early read may predate it. */
    let changed = false;

    const onStorage = (changes: Record<string, Storage.StorageChange>, area: string): void => {
      if (area !== 'session') return;
      if (!tab && bound !== null && Object.prototype.hasOwnProperty.call(changes, tabKey(bound))) changed = true;
      if (tab && Object.prototype.hasOwnProperty.call(changes, tabKey(tab.id))) void refresh();
    };
    const onTabUpdated = (id: number, info: Tabs.OnUpdatedChangeInfoType): void => {
      if (tab && id === tab.id && info.url !== undefined) {
        tab = { id, url: info.url };
        void refresh();
      }
    };
    browser.storage.onChanged.addListener(onStorage);
    browser.tabs.onUpdated.addListener(onTabUpdated);
    // A popup bound to a tab (?tabId=) reads the state while it asks for the tab's URL; only after it
    // listens for changes. The browser takes the read and the listener each in a call of its own (Firefox
    // in its parent process), so a state written between a read sent first and the listener would be in
    // neither, and the popup would show the load without its last capture until the next one.
    if (bound !== null) {
      early = readState(bound);
      early.catch(() => undefined);
    }

    void (async () => {
      try {
        tab = await findTab(search);
      } catch (e) {
        if (!closed)
          setView({
            status: 'error',
            message: `Could not find the tab: ${message(e)}. Close the popup and open it again on the portal's tab.`,
          });
        return;
      }
      if (closed) return;
      if (!tab) {
        setView({ status: 'error', message: 'There is no active tab in this window to inspect.' });
        return;
      }
      // The early read, unless the state changed since the popup listens.
      await (early && !changed && tab.id === bound ? show(early) : refresh());
    })();

    return () => {
      closed = true;
      browser.storage.onChanged.removeListener(onStorage);
      browser.tabs.onUpdated.removeListener(onTabUpdated);
    };
  }, [search]);

  return view;
}

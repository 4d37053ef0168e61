// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeTabState, tabKey } from '../core/storage-keys';
import type { TabState } from '../core/types';
import { load, ORIGIN, randomFeatures, snapshot, SOURCES, tabState } from '../../test/popup-data';
import { randomInt } from '../../test/random';

type StorageListener = (changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void;
type TabListener = (tabId: number, info: { url?: string; status?: string }) => void;

const fake = vi.hoisted(() => ({
  storageListeners: new Set<StorageListener>(),
  tabListeners: new Set<TabListener>(),
  tabs: [] as { id?: number; url?: string }[],
  states: new Map<number, unknown>(),
  sent: [] as { type: string; payload: unknown }[],
  failNext: null as Error | null,
}));

vi.mock('../platform/browser', () => ({
  browser: {
    tabs: {
      query: vi.fn(async () => fake.tabs.slice(0, 1)),
      get: vi.fn(async (id: number) => {
        const tab = fake.tabs.find((t) => t.id === id);
        if (!tab) throw new Error(`No tab with id: ${id}.`);
        return tab;
      }),
      onUpdated: {
        addListener: (l: TabListener) => fake.tabListeners.add(l),
        removeListener: (l: TabListener) => fake.tabListeners.delete(l),
      },
    },
    storage: {
      session: {
        get: vi.fn(async (key: string) => {
          fake.sent.push({ type: 'storage.session.get', payload: key });
          if (fake.failNext) {
            const e = fake.failNext;
            fake.failNext = null;
            throw e;
          }
          const id = Number(key.slice('tab:'.length));
          return fake.states.has(id) ? { [key]: encodeTabState(fake.states.get(id) as TabState) } : {};
        }),
      },
      onChanged: {
        addListener: (l: StorageListener) => fake.storageListeners.add(l),
        removeListener: (l: StorageListener) => fake.storageListeners.delete(l),
      },
    },
  },
}));

vi.mock('../platform/messaging', () => ({
  send: vi.fn(async (type: string) => {
    throw new Error(`the popup reads storage.session itself, it does not send ${type}`);
  }),
}));

const { useTabState, currentState, tabIdFromSearch } = await import('./useTabState');
const { browser } = await import('../platform/browser');

function someState(tabId: number, url = `${ORIGIN}/test-enterprise`): TabState {
  return tabState({ tabId, url, loads: [load([snapshot(SOURCES.learner, { features: randomFeatures() })])] });
}

beforeEach(() => {
  fake.storageListeners.clear();
  fake.tabListeners.clear();
  fake.states.clear();
  fake.sent.length = 0;
  fake.failNext = null;
});
afterEach(cleanup);

describe('currentState', () => {
  it('keeps the state of the tab at the same origin', () => {
    const s = someState(3);
    expect(currentState(3, `${ORIGIN}/other-page?x=1`, s)).toBe(s);
    expect(currentState(3, null, s)).toBe(s);
  });

  it('drops a stale state: another origin, another tab, or no answer', () => {
    const s = someState(3);
    expect(currentState(3, 'https://example.org/', s)).toBeNull();
    expect(currentState(3, 'http://localhost:1991/test-enterprise/admin/learners', s)).toBeNull();
    expect(currentState(3, 'chrome://newtab/', s)).toBeNull();
    expect(currentState(3, 'not a url', s)).toBeNull();
    expect(currentState(4, `${ORIGIN}/`, s)).toBeNull();
    expect(currentState(3, `${ORIGIN}/`, null)).toBeNull();
    expect(currentState(3, `${ORIGIN}/`, undefined)).toBeNull();
  });
});

describe('tabIdFromSearch', () => {
  it('reads ?tabId=N and nothing else', () => {
    const id = 1 + randomInt(0, 100_000);
    expect(tabIdFromSearch(`?tabId=${id}`)).toBe(id);
    expect(tabIdFromSearch(`?x=1&tabId=${id}`)).toBe(id);
    for (const bad of ['', '?tabId=', '?tabId=-1', '?tabId=1.5', '?tabId=abc', '?tabId=99999999999']) {
      expect(tabIdFromSearch(bad)).toBeNull();
    }
  });
});

describe('useTabState', () => {
  it("reads the active tab's state from storage.session and shows it", async () => {
    const id = 10 + randomInt(0, 1000);
    const state = someState(id);
    fake.tabs = [{ id, url: state.url }];
    fake.states.set(id, state);
    const { result } = renderHook(() => useTabState(''));
    expect(result.current).toEqual({ status: 'loading' });
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(result.current).toEqual({ status: 'ready', tabId: id, tabUrl: state.url, state });
    expect(fake.sent).toEqual([{ type: 'storage.session.get', payload: tabKey(id) }]);
  });

  it('follows ?tabId=N to a tab that is not the active one', async () => {
    const id = 2000 + randomInt(0, 1000);
    const state = someState(id);
    fake.tabs = [
      { id: 1, url: 'moz-extension://x/src/popup/index.html' },
      { id, url: state.url },
    ];
    fake.states.set(id, state);
    const { result } = renderHook(() => useTabState(`?tabId=${id}`));
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(result.current.status === 'ready' && result.current.tabId).toBe(id);
    expect(result.current.status === 'ready' && result.current.state).toEqual(state);
    expect(fake.sent).toEqual([{ type: 'storage.session.get', payload: tabKey(id) }]); // read once, early
  });

  it('reads a bound tab again when its state changed while the tab was looked up', async () => {
    const id = 3000 + randomInt(0, 1000);
    const first = someState(id);
    const second = someState(id);
    fake.tabs = [{ id, url: first.url }];
    fake.states.set(id, first);
    const { result } = renderHook(() => useTabState(`?tabId=${id}`));
    // Before the tab lookup resolves: the background wrote a newer state.
    fake.states.set(id, second);
    fake.storageListeners.forEach((l) => l({ [tabKey(id)]: { newValue: second } }, 'session'));
    await waitFor(() => expect(result.current.status === 'ready' && result.current.state).toEqual(second));
  });

  it('listens before its first read of a bound tab: a state written right after that read is not lost', async () => {
    const id = 3000 + randomInt(0, 1000);
    const first = someState(id);
    const second = someState(id);
    fake.tabs = [{ id, url: first.url }];
    fake.states.set(id, first);
    const get = vi.mocked(browser.storage.session.get);
    // The browser answers the read with the state it had, then takes the background's next write.
    get.mockImplementationOnce(async (keys) => {
      const key = String(keys);
      fake.sent.push({ type: 'storage.session.get', payload: key });
      const answer = { [key]: encodeTabState(first) };
      fake.states.set(id, second);
      fake.storageListeners.forEach((l) => l({ [key]: { newValue: encodeTabState(second) } }, 'session'));
      return answer;
    });
    const { result } = renderHook(() => useTabState(`?tabId=${id}`));
    await waitFor(() => expect(result.current.status === 'ready' && result.current.state).toEqual(second));
  });

  it('treats the state of a page at another origin as stale', async () => {
    const state = someState(5);
    fake.tabs = [{ id: 5, url: 'https://example.org/elsewhere' }];
    fake.states.set(5, state);
    const { result } = renderHook(() => useTabState(''));
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(result.current.status === 'ready' && result.current.state).toBeNull();
  });

  it("re-reads when the tab's session entry changes, and only then", async () => {
    const first = someState(6);
    fake.tabs = [{ id: 6, url: first.url }];
    fake.states.set(6, first);
    const { result } = renderHook(() => useTabState(''));
    await waitFor(() => expect(result.current.status).toBe('ready'));

    const second = someState(6);
    fake.states.set(6, second);
    await act(() => fake.storageListeners.forEach((l) => l({ [tabKey(7)]: {} }, 'session')));
    await act(() => fake.storageListeners.forEach((l) => l({ [tabKey(6)]: {} }, 'local')));
    expect(fake.sent).toHaveLength(1);
    await act(() => fake.storageListeners.forEach((l) => l({ [tabKey(6)]: { newValue: {} } }, 'session')));
    await waitFor(() => expect(result.current.status === 'ready' && result.current.state).toEqual(second));
    expect(fake.sent).toHaveLength(2);
  });

  it('notices the tab navigating to another origin', async () => {
    const state = someState(8);
    fake.tabs = [{ id: 8, url: state.url }];
    fake.states.set(8, state);
    const { result } = renderHook(() => useTabState(''));
    await waitFor(() => expect(result.current.status === 'ready' && result.current.state).toEqual(state));
    await act(() => fake.tabListeners.forEach((l) => l(8, { url: 'https://example.org/' })));
    await waitFor(() => expect(result.current.status === 'ready' && result.current.state).toBeNull());
    expect(result.current.status === 'ready' && result.current.tabUrl).toBe('https://example.org/');
  });

  it('says why when the state cannot be read, or there is no tab', async () => {
    fake.tabs = [{ id: 9, url: `${ORIGIN}/` }];
    fake.failNext = new Error('Access to storage is not allowed from this context.');
    const { result } = renderHook(() => useTabState(''));
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.status === 'error' && result.current.message).toMatch(
      /Could not read this tab's flags: Access to storage is not allowed/,
    );
    cleanup();

    fake.tabs = [];
    const none = renderHook(() => useTabState(''));
    await waitFor(() => expect(none.result.current.status).toBe('error'));
    cleanup();

    const gone = renderHook(() => useTabState('?tabId=424242'));
    await waitFor(() =>
      expect(gone.result.current.status === 'error' && gone.result.current.message).toMatch(/No tab with id/),
    );
  });

  it('stops listening when unmounted', async () => {
    fake.tabs = [{ id: 11, url: `${ORIGIN}/` }];
    const { result, unmount } = renderHook(() => useTabState(''));
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(fake.storageListeners.size).toBe(1);
    expect(fake.tabListeners.size).toBe(1);
    unmount();
    expect(fake.storageListeners.size).toBe(0);
    expect(fake.tabListeners.size).toBe(0);
  });
});

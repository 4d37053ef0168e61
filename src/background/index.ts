// Background service worker (Chromium) / event page (Firefox). Holds no state in globals that the
// user sees: everything is in `storage.session` through TabStore, so a stopped worker loses nothing
// but the changes of its last 250 ms (TabStore's write delay). The badge texts it remembers only spare
// setting the same text again.
import { isContentMessage, isEnvelope, isPageMessage, type Envelope } from '../core/messages';
import { decodeResults } from '../core/results';
import { validOp, type BackendResult } from '../core/backend';
import { browser, type Runtime } from '../platform/browser';
import { sendToTab } from '../platform/messaging';
import { keepCustomScriptsRegistered } from './dynamic-scripts';
import { expectKey } from '../core/storage-keys';
import { flagsOn, TabStore } from './tab-store';

/** A tab's state changes with each capture batch; a burst's changes are written together every 250 ms (see TabStore). */
const WRITE_DELAY_MS = 250;

const store = new TabStore(
  {
    get: (key) => browser.storage.session.get(key),
    set: (items) => browser.storage.session.set(items),
    remove: (key) => browser.storage.session.remove(key),
  },
  Date.now,
  WRITE_DELAY_MS,
);

const EXTENSION_ORIGIN = new URL(browser.runtime.getURL('/')).origin;

/** A content script of ours, in the top frame of a web page in a tab: its tab and page URL. */
function fromContentScript(sender: Runtime.MessageSender): { tabId: number; url: string } | null {
  if (sender.id !== browser.runtime.id) return null;
  const tabId = sender.tab?.id;
  if (tabId === undefined || tabId < 0 || sender.frameId !== 0) return null;
  const url = sender.url ?? '';
  if (!url.startsWith('http://') && !url.startsWith('https://')) return null;
  return { tabId, url };
}

/** One of the extension's own pages (popup, options), never a content script. */
function fromExtensionPage(sender: Runtime.MessageSender): boolean {
  if (sender.id !== browser.runtime.id) return false;
  try {
    return new URL(sender.url ?? '').origin === EXTENSION_ORIGIN;
  } catch {
    return false;
  }
}

/**
 * The badge text this worker last set per tab. Two action calls per capture batch cost the browser and
 * the worker ~1 ms each (docs/BENCHMARKS.md), so an unchanged badge is not set again. Browsers may
 * reset a tab's badge when it loads a new document, so a new document forgets the tab's entry; a
 * restarted worker starts empty and sets the badge again.
 */
const badges = new Map<number, string>();

async function updateBadge(tabId: number, on: number | null): Promise<void> {
  const text = on === null || on === 0 ? '' : String(on);
  if (badges.get(tabId) === text) return;
  badges.set(tabId, text);
  try {
    await browser.action.setBadgeText({ tabId, text });
    await browser.action.setBadgeBackgroundColor({ tabId, color: '#0a7d45' });
  } catch {
    // The tab may be gone; the badge is cosmetic.
    badges.delete(tabId);
  }
}

/** A document id as content scripts make them (`src/content`), or null. */
function docId(value: unknown): string | null {
  return typeof value === 'string' && /^[a-z0-9-]{8,40}$/.test(value) ? value : null;
}

async function fromContent(tabId: number, pageUrl: string, message: Envelope): Promise<null> {
  if (!isContentMessage(message.type)) return null;
  const p = message.payload as Record<string, unknown>;
  let state;
  switch (message.type) {
    case 'page/start':
      if (typeof p['url'] !== 'string' || typeof p['identity'] !== 'object' || p['identity'] === null) return null;
      badges.delete(tabId); // a new document: the browser may have reset the tab's badge
      state = await store.pageStart(
        tabId,
        p['url'],
        p['identity'] as never,
        typeof p['at'] === 'number' && Number.isFinite(p['at']) ? p['at'] : Date.now(),
        docId(p['doc']),
      );
      break;
    case 'page/identity':
      if (typeof p['identity'] !== 'object' || p['identity'] === null) return null;
      state = await store.setIdentity(tabId, p['identity'] as never, docId(p['doc']));
      break;
    case 'page/results': {
      const doc = docId(p['doc']);
      const results = decodeResults(p['json']);
      if (results && doc !== null) {
        state = await store.record(tabId, results, doc);
        break;
      }
      // Our content script never sends such a batch: say so, rather than lose its captures unseen.
      state = await store.dropped(tabId, {
        url: pageUrl.slice(0, 2000),
        method: '',
        source: null,
        at: Date.now(),
        reason:
          "the extension could not read a batch of this page's captures, so they were not kept: reload the page; if it happens again, report it with this page's URL",
      });
      break;
    }
    case 'page/dropped':
      if (typeof p['reason'] !== 'string') return null;
      state = await store.dropped(tabId, {
        url: typeof p['url'] === 'string' ? p['url'].slice(0, 2000) : '',
        method: '',
        source: null,
        at: Date.now(),
        reason: p['reason'].slice(0, 300),
      });
      break;
  }
  await updateBadge(tabId, flagsOn(state ?? null));
  return null;
}

/** Hands a backend call to the tab's content script, which makes it from the portal's origin. */
async function backendCall(tabId: number, call: unknown): Promise<BackendResult<unknown>> {
  const op = validOp(call);
  const refuse = (kind: 'no-portal' | 'bad-response', detail: string): BackendResult<unknown> => ({
    ok: false,
    error: { kind, status: 0, detail, fields: {}, lms: '' },
  });
  if (!op) return refuse('bad-response', 'the popup asked for an operation the extension does not know');
  try {
    const result = await sendToTab(tabId, 'content/backend', op);
    return result && typeof result === 'object' && 'ok' in result ? result : refuse('no-portal', '');
  } catch {
    // No content script in that tab: not a portal page (or it was loaded before the extension).
    return refuse('no-portal', '');
  }
}

async function fromPage(message: Envelope): Promise<unknown> {
  if (!isPageMessage(message.type)) return null;
  const tabId = (message.payload as { tabId?: unknown }).tabId;
  if (typeof tabId !== 'number' || !Number.isInteger(tabId) || tabId < 0) return null;
  switch (message.type) {
    case 'popup/state':
      return store.get(tabId);
    case 'popup/reload':
      await browser.tabs.reload(tabId);
      return null;
    case 'backend/call':
      return backendCall(tabId, (message.payload as { call?: unknown }).call);
  }
}

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (!isEnvelope(message)) return undefined;
  if (isContentMessage(message.type)) {
    const from = fromContentScript(sender);
    return from === null ? undefined : fromContent(from.tabId, from.url, message);
  }
  if (isPageMessage(message.type)) {
    return fromExtensionPage(sender) ? fromPage(message) : undefined;
  }
  return undefined;
});

// Content scripts for the user's own environments (options page); the presets are in the manifest.
keepCustomScriptsRegistered();

browser.tabs.onRemoved.addListener((tabId) => {
  badges.delete(tabId);
  void store.clear(tabId);
  void browser.storage.session.remove(expectKey(tabId)).catch(() => undefined);
});

// A tab that leaves the portal for a page we have no access to: its state would be stale.
browser.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.status !== 'loading') return;
  badges.delete(tabId);
  let origin = '';
  try {
    origin = tab.url ? new URL(tab.url).origin : '';
  } catch {
    origin = '';
  }
  void store.navigated(tabId, origin).then((state) => {
    if (!state) void updateBadge(tabId, null);
  });
});

// Background service worker (Chromium) / event page (Firefox). Holds no state in globals that the
// user sees: everything is in `storage.session` through TabStore, so a stopped worker loses nothing
// but the changes of its last 250 ms (TabStore's write delay). The badge texts it remembers only spare
// setting the same text again.
import { DEVTOOLS_PORT, route } from '../core/messages';
import { expectKey } from '../core/storage-keys';
import type { TabState } from '../core/types';
import { browser, type Runtime } from '../platform/browser';
import { tellTab } from '../platform/messaging';
import { fromContentScript, fromExtensionPage } from '../platform/senders';
import { contentRoutes } from './content-routes';
import { PanelConnection, panelRoutes } from './devtools-routes';
import { keepCustomScriptsRegistered } from './dynamic-scripts';
import { popupRoutes } from './popup-routes';
import { ResponseLog } from './response-log';
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

async function showBadge(tabId: number, state: TabState | null, newDocument = false): Promise<void> {
  if (newDocument) badges.delete(tabId); // the browser may have reset the tab's badge
  await updateBadge(tabId, flagsOn(state));
}

/** Each tab's responses for the DevTools panel, in memory (an open panel keeps its own copy). */
const log = new ResponseLog();

const fromContent = contentRoutes({ store, log, showBadge });
const fromPopup = popupRoutes({ reloadTab: (tabId) => browser.tabs.reload(tabId) });

// Each sender gets only its own channel: a content script cannot send the popup's messages, nor the
// popup (or any extension page) a content script's.
browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  const content = fromContentScript(sender);
  if (content !== null) return route(message, fromContent, { tabId: content.tabId, pageUrl: content.url });
  return fromExtensionPage(sender) ? route(message, fromPopup, null) : undefined;
});

// A DevTools panel (an extension page) opens a port, says which tab it inspects, and gets that tab's
// log and then each entry as it comes, until it closes.
const fromPanel = panelRoutes({
  log,
  inspect: (tabId, on) => void tellTab(tabId, 'devtools/inspect', { on }),
});
browser.runtime.onConnect.addListener((port: Runtime.Port) => {
  if (port.name !== DEVTOOLS_PORT || !port.sender || !fromExtensionPage(port.sender)) {
    port.disconnect();
    return;
  }
  const panel = new PanelConnection((m) => port.postMessage(m));
  port.onMessage.addListener((value: unknown) => void route(value, fromPanel, panel)?.catch(() => undefined));
  port.onDisconnect.addListener(() => panel.close());
});

// Content scripts for the user's own environments (options page); the presets are in the manifest.
keepCustomScriptsRegistered();

browser.tabs.onRemoved.addListener((tabId) => {
  badges.delete(tabId);
  log.clear(tabId);
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

// Who sent a runtime message. A receiver takes each channel only from its own kind of sender, and gives
// anything else no answer (fail closed).
import { browser, type Runtime } from './browser';

const EXTENSION_ORIGIN = new URL(browser.runtime.getURL('/')).origin;

/**
 * One of the extension's own pages (the popup, options, a panel; possibly open in a tab), never a
 * content script: a content script's URL is its web page's.
 */
export function fromExtensionPage(sender: Runtime.MessageSender): boolean {
  if (sender.id !== browser.runtime.id) return false;
  try {
    return new URL(sender.url ?? '').origin === EXTENSION_ORIGIN;
  } catch {
    return false;
  }
}

/** A content script of ours, in the top frame of a web page in a tab: its tab and page URL, or null. */
export function fromContentScript(sender: Runtime.MessageSender): { tabId: number; url: string } | null {
  if (sender.id !== browser.runtime.id) return null;
  const tabId = sender.tab?.id;
  if (tabId === undefined || tabId < 0 || sender.frameId !== 0) return null;
  const url = sender.url ?? '';
  if (!url.startsWith('http://') && !url.startsWith('https://')) return null;
  return { tabId, url };
}

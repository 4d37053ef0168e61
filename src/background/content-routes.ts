// What the worker does with each message of a tab's content script (`ContentToWorker`): check it (the
// content script lives beside a hostile page, so nothing in a payload is trusted), keep it in the tab's
// state, and show the number of flags on in the badge.
import { checkIdentityResult } from '../core/identity';
import type { ContentToWorker, Routes } from '../core/messages';
import { decodeResults } from '../core/results';
import type { TabState } from '../core/types';
import type { ResponseLog } from './response-log';
import type { TabStore } from './tab-store';

/** Who sent the message: our content script in the top frame of this tab, on this page. */
export interface ContentSender {
  tabId: number;
  pageUrl: string;
}

export interface ContentRouteDeps {
  store: TabStore;
  /** The tabs' logs for the DevTools panel. */
  log: ResponseLog;
  /** Shows the tab's state in its badge; `newDocument` when the browser may have reset the badge. */
  showBadge(tabId: number, state: TabState | null, newDocument?: boolean): Promise<void>;
}

/** A document id as content scripts make them (`src/content`), or null. */
function docId(value: unknown): string | null {
  return typeof value === 'string' && /^[a-z0-9-]{8,40}$/.test(value) ? value : null;
}

const UNREADABLE_BATCH =
  "the extension could not read a batch of this page's captures, so they were not kept: reload the page; if it happens again, report it with this page's URL";

export function contentRoutes({ store, log, showBadge }: ContentRouteDeps): Routes<ContentToWorker, ContentSender> {
  return {
    'page/start': {
      check: ({ url, identity, at, doc }) => {
        const checked = checkIdentityResult(identity);
        const id = docId(doc);
        if (typeof url !== 'string' || checked === null || id === null) return null;
        return { url, identity: checked, at: typeof at === 'number' && Number.isFinite(at) ? at : Date.now(), doc: id };
      },
      handle: async ({ url, identity, at, doc }, { tabId }) => {
        log.start(tabId, doc, url, at);
        await showBadge(tabId, await store.pageStart(tabId, url, identity, at, doc), true);
        return { inspect: log.watched(tabId) };
      },
    },
    'page/identity': {
      check: ({ identity, doc }) => {
        const checked = checkIdentityResult(identity);
        const id = docId(doc);
        return checked === null || id === null ? null : { identity: checked, doc: id };
      },
      handle: async ({ identity, doc }, { tabId }) => {
        await showBadge(tabId, await store.setIdentity(tabId, identity, doc));
        return null;
      },
    },
    'page/results': {
      // Our content script never sends a batch the worker cannot read: say so, rather than lose its captures unseen.
      check: ({ json, doc }) => ({ json: typeof json === 'string' ? json : '', doc: docId(doc) ?? '' }),
      handle: async ({ json, doc }, { tabId, pageUrl }) => {
        const results = decodeResults(json);
        if (results && doc !== '') log.record(tabId, doc, results);
        const state =
          results && doc !== ''
            ? await store.record(tabId, results, doc)
            : await store.dropped(tabId, {
                url: pageUrl.slice(0, 2000),
                method: '',
                source: null,
                at: Date.now(),
                reason: UNREADABLE_BATCH,
              });
        await showBadge(tabId, state);
        return null;
      },
    },
    'page/dropped': {
      check: ({ url, reason, at }) =>
        typeof reason === 'string'
          ? { url: typeof url === 'string' ? url : '', reason, at: typeof at === 'number' ? at : Date.now() }
          : null,
      handle: async ({ url, reason }, { tabId }) => {
        const state = await store.dropped(tabId, {
          url: url.slice(0, 2000),
          method: '',
          source: null,
          at: Date.now(),
          reason: reason.slice(0, 300),
        });
        await showBadge(tabId, state);
        return null;
      },
    },
  };
}

// The extension's internal messages: one typed map per channel, a constant source tag on every hop.
// `platform/messaging.ts` sends and receives them; the background checks who sent each one.
import type { BackendOp, BackendResult } from './backend';
import type { IdentityResult, TabState } from './types';

export const MESSAGE_TAG = 'waffle-inspector';

/** Content script (a tab's top frame) -> background. */
export interface ContentMessages {
  /**
   * A document started (or came back from the back/forward cache). `doc` is its own id, sent again with
   * everything it reports later, so that each report is kept with its document's load.
   */
  'page/start': { req: { url: string; identity: IdentityResult; at: number; doc: string }; res: null };
  'page/identity': { req: { identity: IdentityResult; doc: string }; res: null };
  /**
   * What the content script read from capture events received close together, in order: one message
   * and one storage write for a burst. `json` is `encodeResults` of the flags, enterprise and user each
   * response gave (or why not), not the bodies; the background reads it with `decodeResults`, which
   * trusts nothing in it. One string, because Chromium converts a message value by value on the page's
   * main thread, and one string goes through far faster than many objects (docs/BENCHMARKS.md).
   */
  'page/results': { req: { json: string; doc: string }; res: null };
  'page/dropped': { req: { url: string; reason: string; at: number }; res: null };
}

/** Extension pages (popup, options) -> background. */
export interface PageMessages {
  'popup/state': { req: { tabId: number }; res: TabState | null };
  'popup/reload': { req: { tabId: number }; res: null };
  /** A backend call, made by the tab's content script from the portal's origin. */
  'backend/call': { req: { tabId: number; call: BackendOp }; res: BackendResult<unknown> };
}

/** Background -> a tab's content script (tabs.sendMessage). Content scripts accept only these, only from the extension. */
export interface ContentCommands {
  'content/backend': { req: BackendOp; res: BackendResult<unknown> };
}

export type AnyMessages = ContentMessages & PageMessages & ContentCommands;
export type MessageType = keyof AnyMessages;

export interface Envelope<K extends MessageType = MessageType> {
  tag: typeof MESSAGE_TAG;
  type: K;
  payload: AnyMessages[K]['req'];
}

export function isContentMessage(type: string): type is keyof ContentMessages {
  return type === 'page/start' || type === 'page/identity' || type === 'page/results' || type === 'page/dropped';
}

export function isPageMessage(type: string): type is keyof PageMessages {
  return type === 'popup/state' || type === 'popup/reload' || type === 'backend/call';
}

export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v['tag'] === MESSAGE_TAG &&
    typeof v['type'] === 'string' &&
    typeof v['payload'] === 'object' &&
    v['payload'] !== null
  );
}

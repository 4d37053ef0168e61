// The extension's messages, one typed map per channel. Each map lists a channel's message types with what
// the sender sends (`req`) and what the receiver answers (`res`); `MessageOf<Map>` is the channel's
// discriminated union, and a receiver is a table of `Routes<Map>`: per type, a check of the payload (all of
// it comes from another context and is not trusted) and a handler typed by that entry. A new message is
// one entry in its map and one route in its receiver.
//
// The channels:
// - page → content script: not a runtime message but the capture event (`core/capture-event.ts`), a
//   string that crosses from the page's world unchanged; the content script reads it as untrusted text.
// - content script → worker: `ContentToWorker` (background/content-routes.ts).
// - popup → worker: `PopupToWorker` (background/popup-routes.ts).
// - popup → content script: `PopupToContent`, the requests to the LMS's enrollment API, made by the
//   tab's content script from the portal's origin (content/backend-routes.ts).
// - DevTools panel ⇄ worker: `PanelToWorker` and `WorkerToPanel`, over a runtime port the panel opens
//   (background/devtools-routes.ts, devtools/usePanelLog.ts).
// - worker → content script: `WorkerToContent`, whether a panel watches the tab (content/index.iife.ts).
import type { BackendAnswer } from './backend-error';
import type { EnrollRequest, Enrollment, EnrollmentFilter, FlagsQuery, FlagsResponse, UserRef } from './backend-api';
import type { CustomerEnrollRequest, CustomerEnrollment, EnterpriseCustomerInfo } from './customers';
import type { LogEntry } from './devtools-log';
import type { Lookup } from './subject';
import type { IdentityResult } from './types';

/** On every message, so that a receiver ignores anything that is not ours before reading it. */
export const MESSAGE_TAG = 'waffle-inspector';

/** Content script (a tab's top frame) → worker. */
export interface ContentToWorker {
  /**
   * A document started (or came back from the back/forward cache). `doc` is its own id, sent again with
   * everything it reports later, so that each report is kept with its document's load.
   */
  /** The answer says whether a DevTools panel watches the tab (then each result carries its detail). */
  'page/start': {
    req: { url: string; identity: IdentityResult; at: number; doc: string };
    res: { inspect: boolean };
  };
  'page/identity': { req: { identity: IdentityResult; doc: string }; res: null };
  /**
   * What the content script read from capture events received close together, in order: one message
   * and one storage write for a burst. `json` is `encodeResults` of the flags, enterprise and user each
   * response gave (or why not), not the bodies; the worker reads it with `decodeResults`, which trusts
   * nothing in it. One string, because Chromium converts a message value by value on the page's main
   * thread, and one string goes through far faster than many objects (docs/BENCHMARKS.md).
   */
  'page/results': { req: { json: string; doc: string }; res: null };
  'page/dropped': { req: { url: string; reason: string; at: number }; res: null };
}

/** The name of the runtime port a DevTools panel opens to the worker. */
export const DEVTOOLS_PORT = 'waffle-inspector:devtools';

/** DevTools panel → worker, over its port (no answers: the worker posts `WorkerToPanel` messages). */
export interface PanelToWorker {
  /** Send this tab's log, then each entry as it comes, until the port closes. */
  'devtools/watch': { req: { tabId: number }; res: null };
}

/** Worker → DevTools panel, over the panel's port. */
export interface WorkerToPanel {
  /** The tab's whole log, oldest first: the answer to `devtools/watch`. */
  'devtools/log': { req: { tabId: number; entries: LogEntry[] }; res: null };
  /** One entry more (placed with `addEntry`). */
  'devtools/entry': { req: { tabId: number; entry: LogEntry }; res: null };
}

/** Worker → a tab's content script. */
export interface WorkerToContent {
  /** Whether a DevTools panel watches the tab: then the content script sends each result's detail. */
  'devtools/inspect': { req: { on: boolean }; res: null };
}

/** Popup (an extension page) → worker. */
export interface PopupToWorker {
  'popup/reload': { req: { tabId: number }; res: null };
}

/**
 * The enrollment API's requests, each with the data its answer carries: the popup asks, the tab's
 * content script makes the request from the portal's origin (content/backend-routes.ts).
 */
export interface BackendRequests {
  /**
   * Every visible flag, only those named (`?names=`; unknown names are simply absent) or those whose name
   * contains `q`; for the caller, or for another user (`user`, audited with `fromUrl`).
   */
  'backend/flags': { req: FlagsQuery; data: FlagsResponse };
  /** Up to 10 active users whose username or email starts with `q`, for "View as user". */
  'backend/users': { req: { q: string }; data: UserRef[] };
  /** The caller's own recent lookups of other users, newest first. */
  'backend/lookups': { req: { limit?: number }; data: Lookup[] };
  'backend/enroll': { req: EnrollRequest; data: Enrollment };
  'backend/enrollments': { req: EnrollmentFilter; data: Enrollment[] };
  'backend/revoke': { req: { id: number }; data: Enrollment };
  /** An enterprise customer (by uuid) and its learner count, for "Enable for …". */
  'backend/customer': { req: { customer: string }; data: EnterpriseCustomerInfo };
  'backend/enrollCustomer': { req: CustomerEnrollRequest; data: CustomerEnrollment };
  'backend/customerEnrollments': { req: { state: 'live' | 'all' }; data: CustomerEnrollment[] };
  'backend/revokeCustomer': { req: { id: number }; data: CustomerEnrollment };
}

export type BackendRequestType = keyof BackendRequests & string;

/** Popup (an extension page) → a tab's content script: a request and its answer, data or the one error. */
export type PopupToContent = {
  [K in BackendRequestType]: { req: BackendRequests[K]['req']; res: BackendAnswer<BackendRequests[K]['data']> };
};

/** A channel's map: message type → what is sent and what is answered. */
export type ChannelMap<Map> = { [K in keyof Map]: { req: unknown; res: unknown } };

export interface Message<Map extends ChannelMap<Map>, K extends keyof Map & string> {
  tag: typeof MESSAGE_TAG;
  type: K;
  payload: Map[K]['req'];
}

/** The discriminated union of a channel's messages. */
export type MessageOf<Map extends ChannelMap<Map>> = { [K in keyof Map & string]: Message<Map, K> }[keyof Map & string];

export function message<Map extends ChannelMap<Map>, K extends keyof Map & string>(
  type: K,
  payload: Map[K]['req'],
): Message<Map, K> {
  return { tag: MESSAGE_TAG, type, payload };
}

/** How a receiver takes one type of message: check the payload (null refuses it), then handle it. */
export interface Route<Req, Res, Context> {
  check(payload: Readonly<Record<string, unknown>>): Req | null;
  handle(request: Req, context: Context): Promise<Res>;
}

export type Routes<Map extends ChannelMap<Map>, Context> = {
  [K in keyof Map & string]: Route<Map[K]['req'], Map[K]['res'], Context>;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function takes<Map extends ChannelMap<Map>, Context>(
  routes: Routes<Map, Context>,
  type: unknown,
): type is keyof Map & string {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(routes, type);
}

function take<Map extends ChannelMap<Map>, K extends keyof Map & string, Context>(
  routes: Routes<Map, Context>,
  type: K,
  payload: Record<string, unknown>,
  context: Context,
): Promise<Map[K]['res']> | undefined {
  const route = routes[type];
  const request = route.check(payload);
  return request === null ? undefined : route.handle(request, context);
}

/**
 * Routes a value that arrived on a channel: undefined (no answer) unless it is one of our messages, of a
 * type this receiver takes, with a payload its check accepts. Never throws on what it is given.
 */
export function route<Map extends ChannelMap<Map>, Context>(
  value: unknown,
  routes: Routes<Map, Context>,
  context: Context,
): Promise<Map[keyof Map & string]['res']> | undefined {
  if (!isRecord(value) || value['tag'] !== MESSAGE_TAG || !isRecord(value['payload'])) return undefined;
  const type = value['type'];
  if (!takes(routes, type)) return undefined;
  return take(routes, type, value['payload'], context);
}

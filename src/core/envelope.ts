// The one message the page interceptor sends: a CustomEvent on `document` whose `detail` is a string.
// A string, because it crosses from the page's world to the content script's unchanged in every browser
// (objects do not), and because the body must not be parsed on the page's main thread.
//
//   detail = "wi1" \n METHOD \n URL \n STATUS \n NOTE \n BODY
//
// NOTE is empty when BODY is the whole body; otherwise it says why there is no body (too large, unreadable).
// The time is stamped by the content script, not taken from the page.
//
// The page can dispatch this event too, so the content script treats every field as hostile.
import type { CapturedResponse } from './extract';
import type { Diagnostic } from './types';

export const ENVELOPE_EVENT = 'waffle-inspector:response';
export const ENVELOPE_VERSION = 'wi1';
/** Bodies longer than this are not forwarded; the envelope says so instead. */
export const BODY_CAP = 1_000_000;
/** A detail longer than this is dropped whole: header fields are short, the body is capped. */
export const DETAIL_CAP = BODY_CAP + 8_192;
const METHOD = /^[A-Z]{1,10}$/;

/** Builds a detail string. Uses only `+`, so it is safe to inline into the page interceptor. */
export function encodeEnvelope(method: string, url: string, status: number, note: string, body: string | null): string {
  return (
    ENVELOPE_VERSION + '\n' + method + '\n' + url + '\n' + status + '\n' + note + '\n' + (body === null ? '' : body)
  );
}

export type EnvelopeResult = { ok: true; response: CapturedResponse } | { ok: false; reason: string };

/**
 * The cheap part of the check, all the content script does on the page's main thread: a string, within
 * the cap. Null when it passes; the background reads the rest with `parseEnvelope`.
 */
export function detailProblem(detail: unknown): string | null {
  if (typeof detail !== 'string') return 'a capture event without a text payload was ignored';
  if (detail.length > DETAIL_CAP) return `a capture event of ${detail.length} characters was over the cap and ignored`;
  return null;
}

/** Reads a detail string from the page. Never throws; every way it can be wrong has a reason. */
export function parseEnvelope(detail: unknown, pageUrl: string, now: number): EnvelopeResult {
  const problem = detailProblem(detail);
  if (problem !== null || typeof detail !== 'string') return { ok: false, reason: problem ?? '' };
  const fields: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const nl = detail.indexOf('\n', from);
    if (nl < 0 || nl - from > 8_192) return { ok: false, reason: 'a malformed capture event was ignored' };
    fields.push(detail.slice(from, nl));
    from = nl + 1;
  }
  const [version, method, url, statusText, note] = fields as [string, string, string, string, string];
  if (version !== ENVELOPE_VERSION) return { ok: false, reason: 'a capture event of an unknown version was ignored' };
  if (!METHOD.test(method)) return { ok: false, reason: 'a capture event with an invalid method was ignored' };
  let parsed: URL;
  try {
    parsed = new URL(url, pageUrl);
  } catch {
    return { ok: false, reason: 'a capture event with an invalid URL was ignored' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { ok: false, reason: 'a capture event for a non-HTTP URL was ignored' };
  }
  const status = Number(statusText);
  if (!Number.isInteger(status) || status < 0 || status > 999)
    return { ok: false, reason: 'a capture event with an invalid status was ignored' };
  return {
    ok: true,
    response: {
      method,
      url: parsed.href,
      status,
      capturedAt: now,
      body: note === '' ? detail.slice(from) : null,
      bodyNote: note === '' ? null : note.slice(0, 300),
    },
  };
}

/**
 * The content script forwards captures in batches, as one JSON string: the first at once, the ones
 * that follow within BATCH_MS together (each message costs the page's main thread, the browser and the
 * background; docs/BENCHMARKS.md). Not longer: what is pending when the page goes away is sent from
 * `pagehide`, and a batch sent then may reach the background after the next document's `page/start`,
 * or not at all: with 250 ms windows, Firefox failed capture.e2e.ts "marks what changed" every time.
 */
export const BATCH_MS = 50;
/** Most capture events one batch may carry (the content script sends far fewer). */
export const MAX_BATCH = 100;
/** The content script sends a batch before its details pass this many characters. */
export const MAX_BATCH_CHARS = 4_000_000;

/**
 * A content script's batch (`page/envelopes`): a JSON array of `[capturedAt, detail]`, each detail as
 * the page dispatched it. Every detail is read with `parseEnvelope`: the well-formed ones become
 * responses, the others diagnostics with the reason, in order. Null when the batch itself is malformed
 * (not the content script's doing: a compromised renderer's, so nothing of it is kept).
 */
export function readEnvelopeBatch(
  json: unknown,
  pageUrl: string,
  now: number,
): { responses: CapturedResponse[]; dropped: Diagnostic[] } | null {
  // JSON escaping at most doubles a detail's length.
  if (typeof json !== 'string' || json.length > 2 * (MAX_BATCH_CHARS + DETAIL_CAP)) return null;
  let items: unknown;
  try {
    items = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) return null;
  const responses: CapturedResponse[] = [];
  const dropped: Diagnostic[] = [];
  for (const item of items as unknown[]) {
    if (!Array.isArray(item) || item.length !== 2) return null;
    const [at, detail] = item as [unknown, unknown];
    const capturedAt = typeof at === 'number' && Number.isFinite(at) ? at : now;
    const result = parseEnvelope(detail, pageUrl, capturedAt);
    if (result.ok) responses.push(result.response);
    else dropped.push({ url: pageUrl.slice(0, 2000), method: '', source: null, at: capturedAt, reason: result.reason });
  }
  return { responses, dropped };
}

// The one message the page interceptor sends: a CustomEvent on `document` whose `detail` is a string.
// A string, because it crosses from the page's world to the content script's unchanged in every browser
// (objects do not), and because the page's world must not parse it: the content script reads it, in its
// own world, after the page's burst of responses (core/results.ts).
//
//   detail = "wi1" \n METHOD \n URL \n STATUS \n NOTE \n BODY
//
// NOTE is empty when BODY is the whole body; otherwise it says why there is no body (too large, unreadable).
// The time is stamped by the content script, not taken from the page.
//
// The page can dispatch this event too, so the content script treats every field as hostile.
import type { CapturedResponse } from './extract';
import type { Checked } from './types';

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

/** `url`: the response's URL, parsed (its `href` is `response.url`). */
export type ParsedCapture = Checked<{ response: CapturedResponse; url: URL }>;

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
export function parseEnvelope(detail: unknown, pageUrl: string, now: number): ParsedCapture {
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
  // Digits only: the interceptor writes `response.status`; "2e2" or " 200" are not from it.
  const status = /^\d{1,3}$/.test(statusText) ? Number(statusText) : -1;
  if (status < 0) return { ok: false, reason: 'a capture event with an invalid status was ignored' };
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
    url: parsed,
  };
}

/**
 * The content script forwards what it read from captures in batches, as one JSON string (core/results.ts):
 * the first in the task after its event, the ones that follow within BATCH_MS together: a message costs
 * the page's main thread about the same whatever it carries (docs/BENCHMARKS.md). What is pending when
 * the page goes away is sent from `pagehide` and may reach the worker after the next document's
 * `page/start`: every batch names its document and is kept with that document's load.
 */
export const BATCH_MS = 250;
/** The content script sends a batch before its details pass this many characters. */
export const MAX_BATCH_CHARS = 4_000_000;

// What the content script sends the background for a burst of captures: what it read from them (the
// flags, the enterprise, the user; or why not), not the bodies.
//
// The content script reads each capture event itself (`readCaptures`: `parseEnvelope`, then `extract`,
// the same pure code the tests run) and sends the results as one JSON string (`page/results`,
// `encodeResults`). A 2.5 KB portal response becomes a few hundred characters: sending a body cost the
// page's main thread ~15 ns per character, and the browser and the worker as much again to pass it on
// and read it (docs/BENCHMARKS.md).
//
// Trust: the content script runs in the page's renderer process, so the background treats what it sends
// as untrusted, exactly as it treated the bodies before: `decodeResults` checks every field (types,
// lengths, counts), derives the flag names itself, and accepts a snapshot only from a source whose rule
// reads that method and URL. A compromised renderer could already forge any body; it can forge no more
// than that now.
import { FEATURES_TEXT_CAP } from './devtools-log';
import { BODY_CAP, parseEnvelope } from './envelope';
import { extract, type ExtractResult } from './extract';
import { flagNameFor } from './flag-names';
import { supersedes } from './flags';
import { ruleFor, SOURCES } from './sources';
import { MAX_FEATURE_KEYS, MAX_KEY_LENGTH, readEnterprise } from './sources/rule';
import { MAX_DIAGNOSTICS } from './storage-keys';
import type { Diagnostic, EnterpriseRef, FlagSnapshot, SourceId } from './types';

/** What one capture gave: flags, or a reason. Captures no source reads give nothing. */
export type CaptureResult = Exclude<ExtractResult, { kind: 'ignored' }>;

/**
 * What the DevTools panel shows of a response beyond its flags, as the worker reads it: the body's
 * length in characters and the `enterprise_features` value as JSON text, cut at FEATURES_TEXT_CAP.
 * The content script sends it only while a panel watches its tab (`encodeResults`).
 */
export interface ResponseDetail {
  size: number;
  features: string;
  /** True when `features` is the first FEATURES_TEXT_CAP characters of a longer text. */
  cut: boolean;
}

/** A result as the worker reads it from a batch: a snapshot may carry its detail for the panel. */
export type DecodedResult =
  | Exclude<CaptureResult, { kind: 'snapshot' }>
  | (Extract<CaptureResult, { kind: 'snapshot' }> & { detail?: ResponseDetail });

export { FEATURES_TEXT_CAP };

/** Most results one batch may carry (the content script sends a batch before it has more). */
export const MAX_RESULTS = 100;
/** The longest `page/results` string the background reads. Each result is bounded (see below). */
export const MAX_RESULTS_CHARS = 16_000_000;
/**
 * Longest URL a result may carry: an envelope's URL field is at most 8,192 characters, and the URL parser
 * may percent-encode each of them into up to 9 (a 3-byte UTF-8 character).
 */
const MAX_URL = 74_000;
const MAX_REASON = 300;
const MAX_USERNAME = 300;
const METHOD = /^[A-Z]{1,10}$/;
const SOURCE_IDS: ReadonlySet<string> = new Set(SOURCES.map((s) => s.id));

/**
 * Reads capture events (`[capturedAt, detail]`, each detail as the page dispatched it), in order. A
 * detail that is not a well-formed envelope becomes a diagnostic with the reason, for the page's URL.
 */
export function readCaptures(items: readonly (readonly [number, string])[], pageUrl: string): CaptureResult[] {
  const out: CaptureResult[] = [];
  for (const [at, detail] of items) {
    const envelope = parseEnvelope(detail, pageUrl, at);
    if (!envelope.ok) {
      out.push({
        kind: 'diagnostic',
        diagnostic: { url: pageUrl.slice(0, 2000), method: '', source: null, at, reason: envelope.reason },
      });
      continue;
    }
    const result = extract(envelope.response, envelope.url);
    if (result.kind !== 'ignored') out.push(result);
  }
  return out;
}

/**
 * Leaves out each snapshot that a later one of the same batch supersedes (`supersedes`: the background
 * would drop it on arrival, as it tells no reader anything), keeping its problems as diagnostics in its
 * place: the background's state comes out the same. A portal that fetches an endpoint again and again
 * gets the same flags each time, so a burst of its responses sends one snapshot, not one per response.
 */
export function withoutSuperseded(results: readonly CaptureResult[]): CaptureResult[] {
  const out: CaptureResult[] = [];
  for (const result of results) {
    if (result.kind === 'snapshot') {
      for (let i = out.length - 1; i >= 0; i--) {
        const earlier = out[i]!;
        if (earlier.kind !== 'snapshot' || !supersedes(result.snapshot, earlier.snapshot)) continue;
        out.splice(i, 1, ...earlier.problems.map((diagnostic): CaptureResult => ({ kind: 'diagnostic', diagnostic })));
      }
    }
    out.push(result);
  }
  return out;
}

// Why positional tuples and not objects with named fields: the page's main thread pays for encoding
// and for each character `runtime.sendMessage` carries. `node scripts/bench.mjs wire`
// (bench/wire-format.ts, 2026-12-02): a page load's results (learner + BFF dashboard) are 1,324 chars
// as tuples, 1,750 as objects, the page paying ~27 µs against ~35 µs; a 500-flag response 16,570 chars
// against 22,173, ~340 µs against ~450 µs. About a quarter less, of a budget of 100 µs per response;
// most of it is the send, estimated from the length at ~15 ns per character (measured once, docs/
// BENCHMARKS.md), as the encoding itself differs little for a page load (4–7 µs against 5–9 µs).
type WireSnapshot = [
  's',
  SourceId,
  string, // method
  string, // url
  number, // status
  number, // capturedAt
  [string, boolean][], // flags: key, on (the names are the background's to derive)
  EnterpriseRef | null,
  string | null, // username
  string[], // problems: reasons
  ...([] | [[number, string, boolean]]), // only while a panel watches the tab: size, features text, cut
];
type WireDiagnostic = ['d', SourceId | null, string, string, number, string]; // source, method, url, at, reason

/** `enterprise_features` as JSON text for the panel, cut at FEATURES_TEXT_CAP characters. */
export function featuresText(features: unknown): { text: string; cut: boolean } {
  const text = JSON.stringify(features) ?? 'undefined';
  return text.length > FEATURES_TEXT_CAP ? { text: text.slice(0, FEATURES_TEXT_CAP), cut: true } : { text, cut: false };
}

/**
 * One JSON string for a batch of results. A response's problems are cut to MAX_DIAGNOSTICS (the tab
 * keeps no more diagnostics than that in all), so every result is bounded: at most 500 keys of at most
 * 200 characters, and 30 reasons. `inspect` (a DevTools panel watches the tab): each snapshot also
 * carries its body's size and its `enterprise_features` text (at most FEATURES_TEXT_CAP characters);
 * otherwise nothing of it is made.
 */
export function encodeResults(results: readonly CaptureResult[], inspect = false): string {
  const wire = results.map((r): WireSnapshot | WireDiagnostic => {
    if (r.kind === 'diagnostic') {
      const d = r.diagnostic;
      return ['d', d.source, d.method, d.url.slice(0, MAX_URL), d.at, d.reason.slice(0, MAX_REASON)];
    }
    const s = r.snapshot;
    const wire: WireSnapshot = [
      's',
      s.source,
      s.method,
      s.url,
      s.status,
      s.capturedAt,
      s.flags.map((f): [string, boolean] => [f.key, f.on]),
      s.enterprise,
      s.username === null ? null : s.username.slice(0, MAX_USERNAME),
      r.problems.slice(0, MAX_DIAGNOSTICS).map((p) => p.reason.slice(0, MAX_REASON)),
    ];
    if (!inspect || !r.extras) return wire;
    const { text, cut } = featuresText(r.extras.features);
    return [...wire, [r.extras.size, text, cut]];
  });
  return JSON.stringify(wire);
}

const isString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A URL a capture may carry: absolute http(s), within MAX_URL. Null otherwise. */
function httpUrl(value: unknown): URL | null {
  if (!isString(value, MAX_URL)) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * A snapshot's detail for the panel: a size a body may have, a features text within the cap, and, when
 * that text is whole, the JSON of an object (what a rule read flags from). Null when malformed.
 */
function readDetail(value: unknown): ResponseDetail | null {
  if (!Array.isArray(value) || value.length !== 3) return null;
  const [size, features, cut] = value as unknown[];
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > BODY_CAP) return null;
  if (!isString(features, FEATURES_TEXT_CAP) || typeof cut !== 'boolean') return null;
  if (cut && features.length !== FEATURES_TEXT_CAP) return null;
  if (!cut) {
    try {
      const parsed: unknown = JSON.parse(features);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    } catch {
      return null;
    }
  }
  return { size, features, cut };
}

function readSnapshot(item: unknown[]): DecodedResult | null {
  if (item.length !== 10 && item.length !== 11) return null;
  const [, source, method, rawUrl, status, at, flags, enterprise, username, problems, extra] = item;
  const detail = item.length === 11 ? readDetail(extra) : undefined;
  if (detail === null) return null;
  if (typeof source !== 'string' || !SOURCE_IDS.has(source)) return null;
  if (typeof method !== 'string' || !METHOD.test(method)) return null;
  const url = httpUrl(rawUrl);
  // The snapshot's source must be the one whose rule reads this request: a batch cannot put flags
  // under another source, or on a URL no source reads.
  if (url === null || ruleFor(method, url)?.id !== source) return null;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 299) return null;
  if (!isTime(at)) return null;
  if (!Array.isArray(flags) || flags.length > MAX_FEATURE_KEYS) return null;
  const values: FlagSnapshot['flags'] = [];
  for (const flag of flags as unknown[]) {
    if (!Array.isArray(flag) || flag.length !== 2) return null;
    const [key, on] = flag as unknown[];
    if (!isString(key, MAX_KEY_LENGTH) || key.length === 0 || typeof on !== 'boolean') return null;
    values.push({ key, flag: flagNameFor(key), on });
  }
  let ref: EnterpriseRef | null = null;
  if (enterprise !== null) {
    ref = readEnterprise(enterprise);
    if (ref === null) return null;
  }
  if (username !== null && !isString(username, MAX_USERNAME)) return null;
  if (!Array.isArray(problems) || problems.length > MAX_DIAGNOSTICS) return null;
  if (!problems.every((p) => isString(p, MAX_REASON))) return null;
  const href = url.href;
  const snapshot: FlagSnapshot = {
    source: source as SourceId,
    method,
    url: href,
    status,
    capturedAt: at,
    flags: values,
    enterprise: ref,
    username: username as string | null,
  };
  const diagnostics: Diagnostic[] = (problems as string[]).map((reason) => ({
    url: href,
    method,
    source: source as SourceId,
    at,
    reason,
  }));
  return detail
    ? { kind: 'snapshot', snapshot, problems: diagnostics, detail }
    : { kind: 'snapshot', snapshot, problems: diagnostics };
}

function readDiagnostic(item: unknown[]): DecodedResult | null {
  if (item.length !== 6) return null;
  const [, source, method, url, at, reason] = item;
  if (source !== null && (typeof source !== 'string' || !SOURCE_IDS.has(source))) return null;
  if (typeof method !== 'string' || (method !== '' && !METHOD.test(method))) return null;
  if (!isString(url, MAX_URL) || !isTime(at) || !isString(reason, MAX_REASON) || reason === '') return null;
  return { kind: 'diagnostic', diagnostic: { url, method, source: source as SourceId | null, at, reason } };
}

/**
 * Reads a content script's `page/results` string. Null when anything in it is malformed: the content
 * script never sends such a batch, so it is a compromised renderer's, and nothing of it is kept.
 */
export function decodeResults(json: unknown): DecodedResult[] | null {
  if (typeof json !== 'string' || json.length > MAX_RESULTS_CHARS) return null;
  let items: unknown;
  try {
    items = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_RESULTS) return null;
  const out: DecodedResult[] = [];
  for (const item of items as unknown[]) {
    if (!Array.isArray(item)) return null;
    const result = item[0] === 's' ? readSnapshot(item) : item[0] === 'd' ? readDiagnostic(item) : null;
    if (result === null) return null;
    out.push(result);
  }
  return out;
}

// The DevTools panel's log of one tab: each captured response in the order it arrived, and a mark where
// each document started (a reload, a navigation). The worker keeps it (background/response-log.ts) and
// the panel keeps its own copy (src/devtools/); both add entries with `addEntry`, so both order them
// the same way. Pure: no browser API.
import type { SourceId } from './types';

/** The longest `enterprise_features` text a result carries for the panel (core/results.ts). */
export const FEATURES_TEXT_CAP = 20_000;

/** Most entries the worker keeps per tab (and the panel shows); the oldest go first. */
export const MAX_LOG_ENTRIES = 200;

interface EntryBase {
  /** Unique in the worker's life and beyond it (the worker's start time and a counter). */
  id: string;
  /** The document that reported it (its content script's id). */
  doc: string;
  at: number;
}

/** A document started in the tab: the panel draws a separator. */
export interface LogStart extends EntryBase {
  kind: 'start';
  url: string;
}

/** A response a source read flags from. */
export interface LogResponse extends EntryBase {
  kind: 'response';
  source: SourceId;
  method: string;
  url: string;
  status: number;
  /** Each key of `enterprise_features` read as true/false, in the response's order. */
  flags: { key: string; on: boolean }[];
  /** The body's length in characters; null when no panel watched the tab when it arrived. */
  size: number | null;
  /** `enterprise_features` as received, JSON text; null when no panel watched the tab when it arrived. */
  features: string | null;
  /** True when `features` is only the beginning of the text (the cap, core/results.ts). */
  cut: boolean;
  /** What could not be read in it (a key that is not true/false…). */
  problems: string[];
}

/** A response of a source that gave no flags, with the reason. */
export interface LogUnread extends EntryBase {
  kind: 'unread';
  source: SourceId;
  method: string;
  url: string;
  reason: string;
}

export type LogEntry = LogStart | LogResponse | LogUnread;

/**
 * The log with `entry` added: a document's start at the end; anything else after the entries of its own
 * document (a batch sent from `pagehide` can arrive after the next document's start), or at the end
 * when its document's start is not in the log. An entry already there (same id) is not added again.
 * At most `max` entries: the oldest go.
 */
export function addEntry(log: readonly LogEntry[], entry: LogEntry, max = MAX_LOG_ENTRIES): LogEntry[] {
  if (log.some((e) => e.id === entry.id)) return [...log];
  let at = log.length;
  if (entry.kind !== 'start') {
    let start = -1;
    for (let i = log.length - 1; i >= 0 && start < 0; i--) {
      const e = log[i]!;
      if (e.kind === 'start' && e.doc === entry.doc) start = i;
    }
    if (start >= 0) {
      const next = log.findIndex((e, i) => i > start && e.kind === 'start');
      if (next >= 0) at = next;
    }
  }
  const out = [...log.slice(0, at), entry, ...log.slice(at)];
  return out.length > max ? out.slice(out.length - max) : out;
}

/** Merges entries into a log (by id, each placed as `addEntry` places it): a panel's copy and a log received again. */
export function mergeEntries(log: readonly LogEntry[], entries: readonly LogEntry[]): LogEntry[] {
  return entries.reduce<LogEntry[]>((out, e) => addEntry(out, e), [...log]);
}

/** One flag that differs from the previous response of the same source: its value then and now. */
export interface FlagChange {
  key: string;
  /** Undefined: the key was not in the previous response. */
  before: boolean | undefined;
  /** Undefined: the key is not in this response. */
  after: boolean | undefined;
}

/**
 * What changed in the response at `index` against the previous response of the same source in the
 * log (across reloads): keys whose value changed, came or went, in this response's order then the
 * gone ones. Null when the log holds no earlier response of that source.
 */
export function flagChanges(log: readonly LogEntry[], index: number): FlagChange[] | null {
  const entry = log[index];
  if (entry?.kind !== 'response') return null;
  let previous: LogResponse | undefined;
  for (let i = index - 1; i >= 0; i--) {
    const e = log[i]!;
    if (e.kind === 'response' && e.source === entry.source) {
      previous = e;
      break;
    }
  }
  if (!previous) return null;
  const before = new Map(previous.flags.map((f) => [f.key, f.on]));
  const now = new Set(entry.flags.map((f) => f.key));
  const changes: FlagChange[] = [];
  for (const f of entry.flags) {
    const was = before.get(f.key);
    if (was !== f.on) changes.push({ key: f.key, before: was, after: f.on });
  }
  for (const f of previous.flags) if (!now.has(f.key)) changes.push({ key: f.key, before: f.on, after: undefined });
  return changes;
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Whether a value the panel received is a log entry of the shape the panel renders (from the worker,
 * so this is a check of the shape, not of trust: the panel renders every field as text anyway).
 */
export function isLogEntry(value: unknown): value is LogEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  if (!isText(e['id']) || !isText(e['doc']) || !isTime(e['at'])) return false;
  if (e['kind'] === 'start') return isText(e['url']);
  if (!isText(e['source']) || !isText(e['method']) || !isText(e['url'])) return false;
  if (e['kind'] === 'unread') return isText(e['reason']);
  if (e['kind'] !== 'response') return false;
  const flags = e['flags'];
  return (
    typeof e['status'] === 'number' &&
    Array.isArray(flags) &&
    flags.every((f: unknown) => typeof f === 'object' && f !== null && isText((f as Record<string, unknown>)['key'])) &&
    (e['size'] === null || typeof e['size'] === 'number') &&
    (e['features'] === null || isText(e['features'])) &&
    typeof e['cut'] === 'boolean' &&
    Array.isArray(e['problems']) &&
    (e['problems'] as unknown[]).every(isText)
  );
}

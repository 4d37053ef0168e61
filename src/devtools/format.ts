// How the panel writes a log entry's fields: pure, so the component tests and the panel agree.
import type { FlagChange } from '../core/devtools-log';

const two = (n: number) => String(n).padStart(2, '0');

/** Local time of day with milliseconds, e.g. `14:03:07.125`. */
export function formatTime(at: number): string {
  const d = new Date(at);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** A body's length in characters, short: `812 B`, `2.4 KB`, `1.2 MB` (a character of JSON is mostly a byte). */
export function formatSize(size: number | null): string {
  if (size === null) return '—';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/** The path of a URL (and its query, shortened), or the URL itself when it does not parse. */
export function formatPath(url: string): string {
  try {
    const u = new URL(url);
    const query = u.search.length > 60 ? `${u.search.slice(0, 59)}…` : u.search;
    return u.pathname + query;
  } catch {
    return url;
  }
}

const value = (on: boolean | undefined) => (on === undefined ? 'absent' : on ? 'on' : 'off');

/** One change in words: `key: off → on`, `key: new, on`, `key: gone (was on)`. */
export function formatChange(change: FlagChange): string {
  if (change.before === undefined) return `${change.key}: new, ${value(change.after)}`;
  if (change.after === undefined) return `${change.key}: gone (was ${value(change.before)})`;
  return `${change.key}: ${value(change.before)} → ${value(change.after)}`;
}

/**
 * The `enterprise_features` text to show: pretty-printed JSON when it is whole (re-indented, every value
 * kept), else the text as it came. Always a string, rendered as text.
 */
export function prettyFeatures(text: string, cut: boolean): string {
  if (cut) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

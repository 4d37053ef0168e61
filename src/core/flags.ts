// From the snapshots of a tab to the rows the popup shows, and what changed since the last load.
import { SERVICE_OF_SOURCE } from './page-services';
import type { FlagRow, FlagSnapshot, PageLoad, SourceValue } from './types';

type LoadValue = Omit<FlagRow, 'previous' | 'changed'>;

/**
 * The latest value of each key in a load (later snapshots win), with where it came from, and the
 * latest value of every source that reported it (`values`, `differs`).
 */
export function latestValues(snapshots: readonly FlagSnapshot[]): Map<string, LoadValue> {
  const rows = new Map<string, LoadValue>();
  const ordered = [...snapshots].sort((a, b) => a.capturedAt - b.capturedAt);
  for (const snap of ordered) {
    for (const f of snap.flags) {
      const value: SourceValue = { source: snap.source, url: snap.url, capturedAt: snap.capturedAt, on: f.on };
      const before = rows.get(f.key);
      let values: SourceValue[];
      if (before === undefined) values = [value];
      else if (before.values.length === 1 && before.values[0]!.source === snap.source) values = [value];
      else values = [...before.values.filter((v) => v.source !== snap.source), value];
      rows.set(f.key, {
        ...f,
        source: snap.source,
        url: snap.url,
        capturedAt: snap.capturedAt,
        values,
        differs: values.some((v) => v.on !== f.on),
      });
    }
  }
  return rows;
}

const latestCache = new WeakMap<readonly FlagSnapshot[], Map<string, LoadValue>>();

/**
 * `latestValues`, computed once per snapshots array: the popup asks for the same loads' values three
 * times as it opens (its rows, the keys gone since the previous load, the flag names it asks the LMS
 * about), 2-3 ms each for 500 flags on this machine (docs/BENCHMARKS.md). Only for snapshots that are
 * never changed in place, as the popup's (parsed from storage, then only read); the worker's are.
 */
export function latestValuesOnce(snapshots: readonly FlagSnapshot[]): ReadonlyMap<string, LoadValue> {
  let rows = latestCache.get(snapshots);
  if (rows === undefined) {
    rows = latestValues(snapshots);
    latestCache.set(snapshots, rows);
  }
  return rows;
}

/** Keys in the order the popup lists them (the same as `localeCompare`, without its per-call set-up). */
const byKey = new Intl.Collator().compare;

/**
 * Flag rows of the current load, "on" first then by key; each marked if it changed since the previous
 * load. For loads that are never changed in place (`latestValuesOnce`).
 */
export function flagRows(current: PageLoad | undefined, previous: PageLoad | undefined): FlagRow[] {
  if (!current) return [];
  const now = latestValuesOnce(current.snapshots);
  const before = previous && previous.snapshots.length ? latestValuesOnce(previous.snapshots) : null;
  const rows: FlagRow[] = [];
  for (const row of now.values()) {
    const prev = before?.get(row.key)?.on;
    rows.push({ ...row, previous: prev, changed: before !== null && prev !== row.on });
  }
  rows.sort((a, b) => Number(b.on) - Number(a.on) || byKey(a.key, b.key));
  return rows;
}

/** The load to compare against: the most recent earlier load that captured anything. */
export function previousLoad(loads: readonly PageLoad[]): PageLoad | undefined {
  return loads.slice(1).find((l) => l.snapshots.length > 0);
}

/** Keys seen in the previous load that the current load did not report at all (`latestValuesOnce`). */
export function vanishedKeys(current: PageLoad | undefined, previous: PageLoad | undefined): string[] {
  if (!current || !previous || current.snapshots.length === 0) return [];
  const now = latestValuesOnce(current.snapshots);
  return [...latestValuesOnce(previous.snapshots).keys()].filter((k) => !now.has(k)).sort();
}

export function matchesFilter(row: Pick<FlagRow, 'key' | 'flag' | 'source'>, filter: string): boolean {
  const q = filter.trim().toLowerCase();
  if (!q) return true;
  return row.key.toLowerCase().includes(q) || (row.flag ?? '').toLowerCase().includes(q) || row.source.includes(q);
}

/**
 * Whether `later` leaves nothing for `earlier` to tell any reader (latestValues, latestEnterprise,
 * verify, the LMS the page calls): it is no older, comes from the same service (an LMS endpoint's
 * snapshot says where the page's LMS is, which no BFF snapshot tells), reports every key `earlier`
 * reports, and names an enterprise if `earlier` did. A portal that fetches the same endpoint again and again then keeps one snapshot per load, not
 * fifty: the popup reads (and the worker stores) a fraction of the data (docs/BENCHMARKS.md).
 */
export function supersedes(later: FlagSnapshot, earlier: FlagSnapshot): boolean {
  if (later.capturedAt < earlier.capturedAt) return false;
  if (SERVICE_OF_SOURCE[later.source] !== SERVICE_OF_SOURCE[earlier.source]) return false;
  if (earlier.enterprise !== null && later.enterprise === null) return false;
  if (earlier.flags.length > later.flags.length) return false;
  const keys = new Set(later.flags.map((f) => f.key));
  return earlier.flags.every((f) => keys.has(f.key));
}

import { expect, it } from 'vitest';
import { flagRows, latestValuesOnce, matchesFilter, previousLoad, vanishedKeys } from './flags';
import type { FlagSnapshot, PageLoad } from './types';

const snap = (
  at: number,
  flags: Record<string, boolean>,
  source: FlagSnapshot['source'] = 'enterprise-learner',
): FlagSnapshot => ({
  source,
  method: 'GET',
  url: `https://lms/${source}`,
  status: 200,
  capturedAt: at,
  flags: Object.entries(flags).map(([key, on]) => ({ key, on, flag: null })),
  enterprise: null,
  username: null,
});
const load = (id: string, snapshots: FlagSnapshot[]): PageLoad => ({ id, url: 'https://p/', startedAt: 0, snapshots });

it('latest value wins within a load; on first, then by key', () => {
  const current = load('2', [snap(2, { b: false, a: true }), snap(1, { b: true, c: false }, 'bff-learner')]);
  const rows = flagRows(current, undefined);
  expect(rows.map((r) => [r.key, r.on, r.source])).toEqual([
    ['a', true, 'enterprise-learner'],
    ['b', false, 'enterprise-learner'],
    ['c', false, 'bff-learner'],
  ]);
  expect(rows.every((r) => !r.changed)).toBe(true);
});

it('marks what changed since the previous load that captured anything', () => {
  const loads = [
    load('3', [snap(5, { a: true, b: true, n: true })]),
    load('2', []),
    load('1', [snap(1, { a: true, b: false, gone: true })]),
  ];
  const prev = previousLoad(loads);
  expect(prev?.id).toBe('1');
  const rows = flagRows(loads[0], prev);
  expect(Object.fromEntries(rows.map((r) => [r.key, [r.changed, r.previous]]))).toEqual({
    a: [false, true],
    b: [true, false],
    n: [true, undefined],
  });
  expect(vanishedKeys(loads[0], prev)).toEqual(['gone']);
  expect(vanishedKeys(load('4', []), prev)).toEqual([]);
});

it('filters by key, flag name or source, case-insensitively', () => {
  const row = { key: 'use_algolia_index_v2', flag: 'enterprise.use_algolia_index_v2', source: 'bff-learner' as const };
  expect(matchesFilter(row, '')).toBe(true);
  expect(matchesFilter(row, 'ALGOLIA')).toBe(true);
  expect(matchesFilter(row, 'enterprise.use')).toBe(true);
  expect(matchesFilter(row, 'bff')).toBe(true);
  expect(matchesFilter(row, 'zzz')).toBe(false);
});

it("keeps each source's latest value in a load, and says when sources disagree", () => {
  const current = load('1', [
    snap(1, { a: true, b: true }, 'enterprise-learner'),
    snap(2, { a: false, b: true }, 'bff-learner'),
    snap(3, { a: true }, 'enterprise-learner'),
    snap(4, { c: true }, 'enterprise-learner'),
  ]);
  const rows = Object.fromEntries(flagRows(current, undefined).map((r) => [r.key, r]));
  // The later source still gives the row's value; both are kept with their times.
  expect(rows['a']!.on).toBe(true);
  expect(rows['a']!.values.map((v) => [v.source, v.on, v.capturedAt])).toEqual([
    ['bff-learner', false, 2],
    ['enterprise-learner', true, 3],
  ]);
  expect(rows['a']!.differs).toBe(true);
  expect(rows['b']!.differs).toBe(false);
  expect(rows['b']!.values).toHaveLength(2);
  expect(rows['c']!.values).toHaveLength(1);
  expect(rows['c']!.differs).toBe(false);
});

it('a source that changes its own mind within a load is not a disagreement: its latest value counts', () => {
  const current = load('1', [snap(1, { a: true }), snap(2, { a: false })]);
  const [row] = flagRows(current, undefined);
  expect(row!.on).toBe(false);
  expect(row!.values).toEqual([
    { source: 'enterprise-learner', url: 'https://lms/enterprise-learner', capturedAt: 2, on: false },
  ]);
  expect(row!.differs).toBe(false);
});

it('reads a load once for all who ask (its rows, the gone keys, the names), and lists keys as localeCompare does', () => {
  const keys = ['b_flag', 'B_flag', 'a', 'A2', 'a_b', 'ab', 'a10', 'a9', 'é', 'e', 'z'];
  const current = load('2', [snap(1, Object.fromEntries(keys.map((k) => [k, false])))]);
  const first = latestValuesOnce(current.snapshots);
  expect(latestValuesOnce(current.snapshots)).toBe(first);
  expect(latestValuesOnce([...current.snapshots])).not.toBe(first);
  expect(flagRows(current, undefined).map((r) => r.key)).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
});

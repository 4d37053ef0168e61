import { describe, expect, it } from 'vitest';
import { addEntry, flagChanges, type LogEntry, type LogResponse } from './devtools-log';

const start = (id: string, doc: string, url = 'https://enterprise.edx.org/acme'): LogEntry => ({
  kind: 'start',
  id,
  doc,
  at: 1,
  url,
});
const response = (
  id: string,
  doc: string,
  flags: Record<string, boolean>,
  source = 'enterprise-learner',
): LogResponse => ({
  kind: 'response',
  id,
  doc,
  at: 2,
  source: source as LogResponse['source'],
  method: 'GET',
  url: 'https://courses.edx.org/enterprise/api/v1/enterprise-learner/',
  status: 200,
  flags: Object.entries(flags).map(([key, on]) => ({ key, on })),
  size: null,
  features: null,
  cut: false,
  problems: [],
});
const ids = (log: readonly LogEntry[]) => log.map((e) => e.id);

describe('addEntry', () => {
  it('appends in arrival order', () => {
    let log: LogEntry[] = [];
    for (const e of [start('s1', 'd1'), response('r1', 'd1', {}), response('r2', 'd1', {})]) log = addEntry(log, e);
    expect(ids(log)).toEqual(['s1', 'r1', 'r2']);
  });

  it("puts a late batch of a document before the next document's start", () => {
    let log: LogEntry[] = [];
    for (const e of [start('s1', 'd1'), response('r1', 'd1', {}), start('s2', 'd2'), response('r2', 'd2', {})])
      log = addEntry(log, e);
    log = addEntry(log, response('late', 'd1', {}));
    expect(ids(log)).toEqual(['s1', 'r1', 'late', 's2', 'r2']);
    // A document whose start is not in the log: at the end.
    expect(ids(addEntry(log, response('x', 'unknown', {})))).toEqual(['s1', 'r1', 'late', 's2', 'r2', 'x']);
  });

  it('adds an entry once, and keeps at most max entries, the newest', () => {
    let log: LogEntry[] = [];
    for (let i = 0; i < 7; i++) log = addEntry(log, response(`r${i}`, 'd', {}), 5);
    expect(ids(log)).toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
    expect(ids(addEntry(log, response('r4', 'd', {}), 5))).toEqual(ids(log));
  });
});

describe('flagChanges', () => {
  it('compares with the previous response of the same source, across documents', () => {
    const log = [
      start('s1', 'd1'),
      response('a', 'd1', { x: true, y: false, gone: true }),
      response('bff', 'd1', { x: false }, 'bff-learner'),
      start('s2', 'd2'),
      response('b', 'd2', { x: true, y: true, fresh: false }),
    ];
    expect(flagChanges(log, 1)).toBeNull(); // no earlier response of that source
    expect(flagChanges(log, 2)).toBeNull(); // the BFF's first
    expect(flagChanges(log, 4)).toEqual([
      { key: 'y', before: false, after: true },
      { key: 'fresh', before: undefined, after: false },
      { key: 'gone', before: true, after: undefined },
    ]);
    expect(flagChanges(log, 0)).toBeNull(); // not a response
  });

  it('says none changed when none did', () => {
    const log = [response('a', 'd', { x: true }), response('b', 'd', { x: true })];
    expect(flagChanges(log, 1)).toEqual([]);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { fixtureText } from '../../test/fixtures';
import { encodeEnvelope } from '../core/envelope';
import {
  message,
  route,
  type ContentToWorker,
  type MessageOf,
  type PanelToWorker,
  type WorkerToPanel,
} from '../core/messages';
import { decodeResults, encodeResults, readCaptures } from '../core/results';
import { contentRoutes } from './content-routes';
import { PanelConnection, panelRoutes } from './devtools-routes';
import { ResponseLog } from './response-log';
import { TabStore } from './tab-store';
import { MemoryArea } from '../../test/memory-area';

const PAGE = 'https://enterprise.edx.org/test-enterprise';
const LEARNER = 'https://courses.edx.org/enterprise/api/v1/enterprise-learner/?username=alice&page=1';
const body = fixtureText('lms-enterprise-api-v1-enterprise-learner.json');

/** A batch as the content script sends it: `inspect` when a panel watches the tab. */
function batch(items: [number, string][], inspect: boolean) {
  const results = decodeResults(encodeResults(readCaptures(items, PAGE), inspect));
  if (!results) throw new Error('the batch did not decode');
  return results;
}
const learner = (features = '{"a": true, "b": false}') =>
  encodeEnvelope(
    'GET',
    LEARNER,
    200,
    '',
    body.replace(/"enterprise_features": \{[^}]*\}/, `"enterprise_features": ${features}`),
  );

describe('ResponseLog', () => {
  it('keeps starts, responses and unread responses of a source, in order, with the detail when sent', () => {
    const log = new ResponseLog(() => 1000);
    log.start(3, 'doc-1', PAGE, 10);
    log.record(
      3,
      'doc-1',
      batch(
        [
          [20, learner()],
          [21, encodeEnvelope('GET', LEARNER, 500, '', '{}')],
          [22, 'wi1\nget me\n'], // malformed: no source, no entry
        ],
        true,
      ),
    );
    log.record(3, 'doc-1', batch([[30, learner('{"a": false, "b": false}')]], false));
    const entries = log.entries(3);
    expect(entries.map((e) => e.kind)).toEqual(['start', 'response', 'unread', 'response']);
    const [, first, unread, second] = entries;
    expect(first).toMatchObject({
      kind: 'response',
      doc: 'doc-1',
      at: 20,
      source: 'enterprise-learner',
      method: 'GET',
      status: 200,
      flags: [
        { key: 'a', on: true },
        { key: 'b', on: false },
      ],
      features: '{"a":true,"b":false}',
      cut: false,
    });
    expect(first?.kind === 'response' && first.size).toBe(learner().split('\n').slice(5).join('\n').length);
    expect(unread).toMatchObject({ kind: 'unread', reason: expect.stringMatching(/HTTP 500/) });
    // Sent with no panel watching: no size, no text.
    expect(second).toMatchObject({ kind: 'response', size: null, features: null });
    expect(new Set(entries.map((e) => e.id)).size).toBe(4);
    expect(log.entries(4)).toEqual([]);
  });

  it('keeps at most the last 200 entries per tab, and forgets a closed tab', () => {
    const log = new ResponseLog();
    log.start(1, 'doc-1', PAGE, 0);
    for (let i = 0; i < 250; i++) log.record(1, 'doc-1', batch([[i, learner()]], false));
    const entries = log.entries(1);
    expect(entries).toHaveLength(200);
    expect(entries[0]?.at).toBe(50);
    expect(entries.at(-1)?.at).toBe(249);
    log.clear(1);
    expect(log.entries(1)).toEqual([]);
  });

  it('gives each watcher the entries of its tab as they come, until it stops', () => {
    const log = new ResponseLog();
    const seen: string[] = [];
    const other: string[] = [];
    expect(log.watched(1)).toBe(false);
    const stop = log.watch(1, (e) => seen.push(e.kind));
    log.watch(2, (e) => other.push(e.kind));
    expect(log.watched(1)).toBe(true);
    log.start(1, 'doc-1', PAGE, 0);
    log.record(1, 'doc-1', batch([[1, learner()]], true));
    stop();
    expect(log.watched(1)).toBe(false);
    log.start(1, 'doc-2', PAGE, 2);
    expect(seen).toEqual(['start', 'response']);
    expect(other).toEqual([]);
  });
});

describe('the content routes feed the log', () => {
  it('page/start answers whether a panel watches the tab; page/results adds what it read', async () => {
    const log = new ResponseLog();
    const routes = contentRoutes({
      store: new TabStore(new MemoryArea()),
      log,
      showBadge: async () => undefined,
    });
    const sender = { tabId: 5, pageUrl: PAGE };
    const start = (doc: string) =>
      route(
        message<ContentToWorker, 'page/start'>('page/start', {
          url: PAGE,
          identity: { status: 'missing' },
          at: 1,
          doc,
        }),
        routes,
        sender,
      );
    expect(await start('doc-aaaaaa')).toEqual({ inspect: false });
    log.watch(5, () => undefined);
    expect(await start('doc-bbbbbb')).toEqual({ inspect: true });
    const json = encodeResults(readCaptures([[2, learner()]], PAGE), true);
    await route(message<ContentToWorker, 'page/results'>('page/results', { json, doc: 'doc-bbbbbb' }), routes, sender);
    // A batch the worker cannot read adds nothing to the log.
    await route(
      message<ContentToWorker, 'page/results'>('page/results', { json: '[["s"]]', doc: 'doc-bbbbbb' }),
      routes,
      sender,
    );
    expect(log.entries(5).map((e) => [e.kind, e.doc])).toEqual([
      ['start', 'doc-aaaaaa'],
      ['start', 'doc-bbbbbb'],
      ['response', 'doc-bbbbbb'],
    ]);
  });
});

describe('the panel routes', () => {
  function panel() {
    const posted: MessageOf<WorkerToPanel>[] = [];
    return { posted, connection: new PanelConnection((m) => posted.push(m)) };
  }

  it('send the log, then each entry; switch the content script on for the first panel and off after the last', async () => {
    const log = new ResponseLog();
    const inspect = vi.fn();
    const routes = panelRoutes({ log, inspect });
    log.start(9, 'doc-1', PAGE, 1);
    const a = panel();
    const b = panel();
    await route(message<PanelToWorker, 'devtools/watch'>('devtools/watch', { tabId: 9 }), routes, a.connection);
    await route(message<PanelToWorker, 'devtools/watch'>('devtools/watch', { tabId: 9 }), routes, b.connection);
    expect(inspect.mock.calls).toEqual([[9, true]]);
    expect(a.posted).toEqual([
      { tag: 'waffle-inspector', type: 'devtools/log', payload: { tabId: 9, entries: log.entries(9) } },
    ]);
    log.record(9, 'doc-1', batch([[2, learner()]], true));
    expect(a.posted.map((m) => m.type)).toEqual(['devtools/log', 'devtools/entry']);
    expect(b.posted.map((m) => m.type)).toEqual(['devtools/log', 'devtools/entry']);
    a.connection.close();
    expect(inspect.mock.calls).toEqual([[9, true]]);
    b.connection.close();
    expect(inspect.mock.calls).toEqual([
      [9, true],
      [9, false],
    ]);
    log.start(9, 'doc-2', PAGE, 3);
    expect(b.posted).toHaveLength(2);
  });

  it('a port watches one tab: a new watch ends the one before', async () => {
    const log = new ResponseLog();
    const inspect = vi.fn();
    const routes = panelRoutes({ log, inspect });
    const a = panel();
    await route(message<PanelToWorker, 'devtools/watch'>('devtools/watch', { tabId: 1 }), routes, a.connection);
    await route(message<PanelToWorker, 'devtools/watch'>('devtools/watch', { tabId: 2 }), routes, a.connection);
    expect(inspect.mock.calls).toEqual([
      [1, true],
      [1, false],
      [2, true],
    ]);
    log.start(1, 'doc-1', PAGE, 1);
    expect(a.posted.map((m) => m.type)).toEqual(['devtools/log', 'devtools/log']);
  });

  it.each([[{ tabId: -1 }], [{ tabId: 1.5 }], [{ tabId: '3' }], [{}]])('refuses %j', (payload) => {
    const routes = panelRoutes({ log: new ResponseLog(), inspect: vi.fn() });
    expect(
      route({ tag: 'waffle-inspector', type: 'devtools/watch', payload }, routes, panel().connection),
    ).toBeUndefined();
  });
});

// @vitest-environment jsdom
// Generated capture events from the page into the content script (the page can dispatch the event
// itself, with anything in it): no exception reaches the page, and no flag from a malformed or refused
// capture reaches the worker. Each generated capture carries its own marker key: `ok_<n>` where it must
// be read, `bad_<n>` where it must not.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeEnvelope, ENVELOPE_EVENT, DETAIL_CAP } from '../../src/core/envelope';
import { decodeResults } from '../../src/core/results';
import { pick, random, randomInt } from '../random';
import { arbitraryValue } from './arbitrary';

const sent = vi.hoisted(() => [] as { type: string; payload: Record<string, unknown> }[]);
vi.mock('../../src/platform/messaging', () => ({
  sendToWorker: vi.fn(async (type: string, payload: Record<string, unknown>) => void sent.push({ type, payload })),
}));
vi.mock('../../src/platform/settings-store', () => ({ loadCustomEnvironments: async () => [] }));
vi.mock('../../src/content/popup-listener', () => ({ listenForPopupRequests: () => undefined }));
vi.mock('../../src/content/worker-listener', () => ({ listenForWorker: () => undefined }));

const RUNS = 2000;
const LMS = 'http://localhost:18000';
const LEARNER = `${LMS}/enterprise/api/v1/enterprise-learner/`;
const BFF = 'http://localhost:18270/api/v1/bffs/learner/dashboard/';
const features = (key: string, value: unknown = true) =>
  JSON.stringify({ results: [], enterprise_features: { [key]: value } });

/** A detail the content script must read, and the key it carries. */
function readable(n: number): string {
  const key = `ok_${n}`;
  return random() < 0.7
    ? encodeEnvelope('GET', LEARNER, 200, '', features(key))
    : encodeEnvelope('POST', BFF, 200 + randomInt(0, 100), '', features(key, false));
}

/** A detail whose `bad_<n>` key must not reach the worker as a flag. */
function refused(n: number): unknown {
  const key = `bad_${n}`;
  const body = features(key);
  switch (randomInt(0, 14)) {
    case 0:
      return encodeEnvelope('GET', LEARNER, 200, '', body).replace('wi1', 'wi2');
    case 1:
      return encodeEnvelope(pick(['get', 'G E T', '', 'GETGETGETGET']), LEARNER, 200, '', body);
    case 2:
      return encodeEnvelope(
        'GET',
        pick(['javascript:alert(1)//x', 'ftp://h/enterprise/api/v1/enterprise-learner/', 'http://[x']),
        200,
        '',
        body,
      );
    case 3:
      return encodeEnvelope('GET', LEARNER, pick([500, 404, 302, 199, 0]), '', body);
    case 4:
      return encodeEnvelope('GET', LEARNER, 200, '', body).replace(
        '\n200\n',
        `\n${pick(['abc', '1000', '-1', '2e2', ''])}\n`,
      );
    case 5:
      return encodeEnvelope('GET', LEARNER, 200, 'the body was too large to read', body);
    case 6:
      return encodeEnvelope('GET', `${LMS}/enterprise/api/v1/not-a-source/`, 200, '', body);
    case 7:
      return encodeEnvelope('POST', LEARNER, 200, '', body);
    case 8:
      return encodeEnvelope('GET', LEARNER, 200, '', body.slice(0, randomInt(1, body.length - 1)));
    case 9:
      return encodeEnvelope('GET', LEARNER, 200, '', features(key, pick(['yes', 1, null, {}, []])));
    case 10:
      return encodeEnvelope('GET', LEARNER, 200, '', body).slice(0, randomInt(0, 20));
    case 11:
      return `${encodeEnvelope('GET', LEARNER, 200, '', body)}${'x'.repeat(DETAIL_CAP)}`;
    case 12:
      return new String(encodeEnvelope('GET', LEARNER, 200, '', body));
    default:
      return pick([
        arbitraryValue(3),
        { toString: () => encodeEnvelope('GET', LEARNER, 200, '', body) },
        new Proxy(
          {},
          {
            get: () => {
              throw new Error(`${key} trap`);
            },
          },
        ),
      ]);
  }
}

/** Dispatches a capture event as the page can; a refused one is sometimes a plain Event, with no detail. */
function dispatch(detail: unknown, plain: boolean): void {
  document.dispatchEvent(plain ? new Event(ENVELOPE_EVENT) : new CustomEvent(ENVELOPE_EVENT, { detail }));
}

const errors: unknown[] = [];
const onError = (e: ErrorEvent) => void errors.push(e.error ?? e.message);

beforeAll(async () => {
  vi.useFakeTimers();
  window.addEventListener('error', onError);
  await import('../../src/content/index.iife');
});

afterAll(() => {
  window.removeEventListener('error', onError);
  vi.useRealTimers();
});

describe(`${RUNS} generated capture events from the page`, () => {
  it('none throws into the page; only well-formed captures reach the worker as flags', async () => {
    const expected = new Set<string>();
    for (let n = 0; n < RUNS; n++) {
      // A new document every 200 events: one load may forward at most 300 (the rest are dropped, by design).
      if (n % 200 === 0) {
        const show = new Event('pageshow');
        Object.defineProperty(show, 'persisted', { value: true });
        window.dispatchEvent(show);
      }
      const ok = random() < 0.4;
      if (ok) expected.add(`ok_${n}`);
      expect(() => dispatch(ok ? readable(n) : refused(n), !ok && random() < 0.05)).not.toThrow();
      if (random() < 0.2) await vi.advanceTimersByTimeAsync(randomInt(0, 300));
    }
    await vi.advanceTimersByTimeAsync(1000);
    window.dispatchEvent(new Event('pagehide'));
    expect(errors).toEqual([]);

    const keys = new Set<string>();
    for (const m of sent.filter((s) => s.type === 'page/results')) {
      const results = decodeResults(m.payload['json']);
      expect(results, 'the worker reads every batch the content script sends').not.toBeNull();
      for (const r of results ?? []) if (r.kind === 'snapshot') for (const f of r.snapshot.flags) keys.add(f.key);
    }
    expect([...keys].filter((k) => !k.startsWith('ok_'))).toEqual([]);
    expect([...expected].filter((k) => !keys.has(k))).toEqual([]);
    expect(keys.size).toBe(expected.size);
    expect(sent.some((s) => s.type === 'page/dropped')).toBe(true);
  });
});

// Generated messages from other extension contexts into the worker (content script → worker, popup →
// worker) and into the content script (popup → content script): none throws or rejects, and none is
// taken unless it is well-formed by the rules written here, independently of the routes' own checks.
import { isFlagSearch } from '../../src/core/backend-api';
import { validFromUrl, validUserValue } from '../../src/core/subject';
import { describe, expect, it } from 'vitest';
import { popupRoutes } from '../../src/background/popup-routes';
import { contentRoutes } from '../../src/background/content-routes';
import { ResponseLog } from '../../src/background/response-log';
import { TabStore } from '../../src/background/tab-store';
import { backendRoutes, type LmsClient } from '../../src/content/backend-routes';
import { failed } from '../../src/core/backend-error';
import { encodeResults, readCaptures } from '../../src/core/results';
import { encodeEnvelope } from '../../src/core/envelope';
import { MESSAGE_TAG, route } from '../../src/core/messages';
import { TEST_SEED, pick, random, randomInt, randomToken } from '../random';
import { arbitraryString, arbitraryValue, mutate } from './arbitrary';

const RUNS = 2000;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
const DOC = /^[a-z0-9-]{8,40}$/;

/** The identity a well-formed message carries (src/core/types.ts IdentityResult). */
function wellFormedIdentity(v: unknown): boolean {
  if (!isRecord(v)) return false;
  if (v['status'] === 'missing') return true;
  if (typeof v['cookieName'] !== 'string' || !/^[\w.-]{1,200}$/.test(v['cookieName'])) return false;
  if (v['status'] === 'garbled') return typeof v['reason'] === 'string';
  if (v['status'] !== 'ok' && v['status'] !== 'expired') return false;
  return isRecord(v['identity']) && typeof v['identity']['username'] === 'string' && v['identity']['username'] !== '';
}

function validIdentity(): unknown {
  return pick([
    { status: 'missing' },
    { status: 'garbled', cookieName: 'edx-jwt-cookie-header-payload', reason: arbitraryString() },
    {
      status: pick(['ok', 'expired']),
      cookieName: 'stage-edx-jwt-cookie-header-payload',
      identity: {
        username: `u${randomToken()}`,
        email: '',
        name: '',
        userId: 3,
        staff: false,
        superuser: false,
        roles: [],
        expiresAt: null,
      },
    },
  ]);
}

const PAGE = 'http://localhost:8734/test-enterprise';
const LEARNER = 'http://localhost:18000/enterprise/api/v1/enterprise-learner/';

/** The batches generated well-formed: any other string is one the worker must not read as flags. */
const wellFormedBatches = new Set<string>();

function validResultsJson(): string {
  const features = Object.fromEntries(Array.from({ length: randomInt(1, 4) }, () => [randomToken(6), random() < 0.5]));
  const detail = encodeEnvelope(
    'GET',
    LEARNER,
    200,
    '',
    JSON.stringify({ results: [], enterprise_features: features }),
  );
  const json = encodeResults(readCaptures([[Date.now(), detail]], PAGE));
  wellFormedBatches.add(json);
  return json;
}

/** A message for one of `types`: well-formed, mutated, with a random type, or anything at all. */
function generated(types: string[], wellFormed: (type: string) => Record<string, unknown>): unknown {
  const kind = randomInt(0, 10);
  const type = pick(types);
  if (kind < 3) return { tag: MESSAGE_TAG, type, payload: wellFormed(type) };
  if (kind < 7) return { tag: MESSAGE_TAG, type, payload: mutate(wellFormed(type)) };
  if (kind === 7)
    return {
      tag: MESSAGE_TAG,
      type: random() < 0.5 ? arbitraryString() : pick(['toString', '__proto__', 'constructor', 'hasOwnProperty']),
      payload: wellFormed(type),
    };
  if (kind === 8) return { tag: random() < 0.5 ? 'wi' : arbitraryValue(0), type, payload: wellFormed(type) };
  return arbitraryValue(3);
}

/** Routes `value`; fails the test if that throws or rejects. */
async function routeSafely<T>(run: () => Promise<T> | undefined, value: unknown): Promise<void> {
  let answer: Promise<T> | undefined;
  try {
    answer = run();
  } catch (e) {
    throw new Error(`threw on ${JSON.stringify(value)?.slice(0, 300)}: ${String(e)} (seed ${TEST_SEED})`);
  }
  await expect(answer ?? Promise.resolve(), JSON.stringify(value)?.slice(0, 300)).resolves.not.toThrow();
}

describe(`${RUNS} generated messages into the worker and the content script`, () => {
  it('content script → worker: only well-formed messages reach the tab store', async () => {
    const area = new Map<string, unknown>();
    const store = new TabStore(
      {
        get: async (key) => (area.has(key) ? { [key]: area.get(key) } : {}),
        set: async (items) => void Object.entries(items).forEach(([k, v]) => area.set(k, v)),
        remove: async (key) => void area.delete(key),
      },
      Date.now,
      0,
    );
    const taken: { method: string; args: unknown[] }[] = [];
    for (const method of ['pageStart', 'setIdentity', 'record', 'dropped'] as const) {
      const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(store, { [method]: (...args: unknown[]) => (taken.push({ method, args }), original(...args)) });
    }
    const routes = contentRoutes({ store, log: new ResponseLog(), showBadge: async () => undefined });
    const doc = () => `${randomToken(8)}-${randomToken(4)}`;
    const wellFormed = (type: string): Record<string, unknown> => {
      switch (type) {
        case 'page/start':
          return { url: PAGE, identity: validIdentity(), at: Date.now(), doc: doc() };
        case 'page/identity':
          return { identity: validIdentity(), doc: doc() };
        case 'page/results':
          return { json: validResultsJson(), doc: doc() };
        default:
          return { url: PAGE, reason: arbitraryString(), at: Date.now() };
      }
    };
    let accepted = 0;
    for (let i = 0; i < RUNS; i++) {
      const value = generated(['page/start', 'page/identity', 'page/results', 'page/dropped'], wellFormed);
      taken.length = 0;
      await routeSafely(() => route(value, routes, { tabId: 7, pageUrl: PAGE }), value);
      const m = isRecord(value) && value['tag'] === MESSAGE_TAG && isRecord(value['payload']) ? value : null;
      const p = m ? (m['payload'] as Record<string, unknown>) : {};
      const should = ((): string | null => {
        if (!m) return null;
        switch (m['type']) {
          case 'page/start':
            return typeof p['url'] === 'string' &&
              wellFormedIdentity(p['identity']) &&
              typeof p['doc'] === 'string' &&
              DOC.test(p['doc'])
              ? 'pageStart'
              : null;
          case 'page/identity':
            return wellFormedIdentity(p['identity']) && typeof p['doc'] === 'string' && DOC.test(p['doc'])
              ? 'setIdentity'
              : null;
          case 'page/results':
            // A batch the worker cannot read is kept as a diagnostic that says so, never as flags.
            return typeof p['json'] === 'string' &&
              wellFormedBatches.has(p['json']) &&
              typeof p['doc'] === 'string' &&
              DOC.test(p['doc'])
              ? 'record'
              : 'dropped';
          case 'page/dropped':
            return typeof p['reason'] === 'string' ? 'dropped' : null;
          default:
            return null;
        }
      })();
      expect(
        taken.map((t) => t.method),
        JSON.stringify(value)?.slice(0, 300),
      ).toEqual(should === null ? [] : [should]);
      if (should !== null) accepted++;
    }
    expect(accepted).toBeGreaterThan(RUNS / 4);
  });

  it('popup → worker: only a reload of a tab id', async () => {
    const reloaded: number[] = [];
    const routes = popupRoutes({ reloadTab: async (tabId) => void reloaded.push(tabId) });
    for (let i = 0; i < RUNS; i++) {
      const value = generated(['popup/reload'], () => ({ tabId: randomInt(0, 1000) }));
      reloaded.length = 0;
      await routeSafely(() => route(value, routes, null), value);
      const p =
        isRecord(value) &&
        value['tag'] === MESSAGE_TAG &&
        value['type'] === 'popup/reload' &&
        isRecord(value['payload'])
          ? value['payload']
          : null;
      const tabId = p?.['tabId'];
      const should = typeof tabId === 'number' && Number.isInteger(tabId) && tabId >= 0;
      expect(reloaded, JSON.stringify(value)?.slice(0, 300)).toEqual(should ? [tabId] : []);
    }
  });

  it('popup → content script: only well-formed requests reach the LMS client', async () => {
    const made: string[] = [];
    const client: LmsClient = {
      flags: async () => (made.push('backend/flags'), failed('http', '')),
      users: async () => (made.push('backend/users'), failed('http', '')),
      lookups: async () => (made.push('backend/lookups'), failed('http', '')),
      enroll: async () => (made.push('backend/enroll'), failed('http', '')),
      enrollments: async () => (made.push('backend/enrollments'), failed('http', '')),
      revoke: async () => (made.push('backend/revoke'), failed('http', '')),
      customer: async () => (made.push('backend/customer'), failed('http', '')),
      enrollCustomer: async () => (made.push('backend/enrollCustomer'), failed('http', '')),
      customerEnrollments: async () => (made.push('backend/customerEnrollments'), failed('http', '')),
      revokeCustomer: async () => (made.push('backend/revokeCustomer'), failed('http', '')),
    };
    const wellFormed = (type: string): Record<string, unknown> => {
      const optional = (key: string, value: unknown) => (random() < 0.5 ? {} : { [key]: value });
      switch (type) {
        case 'backend/flags':
          return optional(
            'names',
            Array.from({ length: randomInt(1, 5) }, () => `enterprise.${randomToken()}`),
          );
        case 'backend/enroll':
          return {
            flag: `enterprise.${randomToken()}`,
            reason: `QA-${randomToken()}`,
            durationSeconds: randomInt(60, 86400),
            ...optional('user', randomToken()),
          };
        case 'backend/enrollments':
          return {
            ...optional('flag', `enterprise.${randomToken()}`),
            ...optional('user', randomToken()),
            ...optional('state', pick(['live', 'ended', 'all'])),
          };
        default:
          return { id: randomInt(1, 10_000) };
      }
    };
    const optionalText = (v: unknown, max: number) => v === undefined || isText(v, max);
    let accepted = 0;
    for (let i = 0; i < RUNS; i++) {
      const value = generated(['backend/flags', 'backend/enroll', 'backend/enrollments', 'backend/revoke'], wellFormed);
      made.length = 0;
      await routeSafely(() => route(value, backendRoutes, async () => client), value);
      const m = isRecord(value) && value['tag'] === MESSAGE_TAG && isRecord(value['payload']) ? value : null;
      const p = m ? (m['payload'] as Record<string, unknown>) : {};
      // eslint-disable-next-line no-control-regex
      const askable = (n: unknown) => isText(n, 100) && !/[,\u0000-\u001f\u007f-\u009f]/.test(n as string);
      const ok = ((): boolean => {
        switch (m?.['type']) {
          case 'backend/flags':
            return (
              (p['names'] === undefined ||
                (Array.isArray(p['names']) && p['names'].length <= 200 && p['names'].every(askable))) &&
              (p['q'] === undefined || (p['names'] === undefined && isFlagSearch(p['q']))) &&
              (p['user'] === undefined || validUserValue(p['user'])) &&
              (p['fromUrl'] === undefined || (p['user'] !== undefined && validFromUrl(p['fromUrl'])))
            );
          case 'backend/enroll':
            return (
              isText(p['flag'], 100) &&
              isText(p['reason'], 2000) &&
              typeof p['durationSeconds'] === 'number' &&
              Number.isFinite(p['durationSeconds']) &&
              optionalText(p['user'], 254)
            );
          case 'backend/enrollments':
            return (
              optionalText(p['flag'], 100) &&
              optionalText(p['user'], 254) &&
              [undefined, 'live', 'ended', 'all'].includes(p['state'] as string)
            );
          case 'backend/revoke':
            return typeof p['id'] === 'number' && Number.isInteger(p['id']) && p['id'] > 0;
          default:
            return false;
        }
      })();
      expect(made, JSON.stringify(value)?.slice(0, 300)).toEqual(ok ? [m?.['type']] : []);
      if (ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(RUNS / 4);
  });
});

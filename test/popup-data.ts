// Test data for the popup's tests, built from the recorded Open edX responses (test/fixtures/openedx/) and
// run through the real extraction, with values varied on every run so nothing can be hard-coded.
// Only tests and the bench import this file.
import { fixture as readFixture } from './fixtures';
import { extract } from '../src/core/extract';
import { parseJwtCookie } from '../src/core/identity';
import type {
  Diagnostic,
  EnterpriseRef,
  FlagSnapshot,
  FlagValue,
  IdentityResult,
  PageLoad,
  TabState,
} from '../src/core/types';
import { pick, random, randomInt, randomToken } from './random';

export type Json = Record<string, unknown>;

export function fixture(name: string): Json {
  return readFixture<Json>(name);
}

/** Response key -> Waffle flag name, as recorded. */
export const FLAG_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(fixture('edx-enterprise-toggles-enterprise_features.json')).filter(([k]) => !k.startsWith('_')) as [
    string,
    string,
  ][],
);
export const KNOWN_KEYS = Object.keys(FLAG_NAMES);

export function randomId(prefix = ''): string {
  return `${prefix}${randomToken(8)}`;
}

export { pick };

/** A random on/off for each key, with at least one of each when there are two keys or more. */
export function randomFeatures(keys: readonly string[] = KNOWN_KEYS): Record<string, boolean> {
  const values = keys.map(() => random() < 0.5);
  if (keys.length >= 2) {
    const a = randomInt(0, keys.length);
    const b = (a + 1 + randomInt(0, keys.length - 1)) % keys.length;
    values[a] = true;
    values[b] = false;
  }
  return Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
}

export const ORIGIN = 'http://localhost:8734';
export const LMS = 'http://localhost:18000';
export const BFF = 'http://localhost:18270';

export interface Source {
  fixture: string;
  method: string;
  url: string;
}

export const SOURCES = {
  learner: {
    fixture: 'lms-enterprise-api-v1-enterprise-learner.json',
    method: 'GET',
    url: `${LMS}/enterprise/api/v1/enterprise-learner/?username=alice&page=1`,
  },
  dashboardList: {
    fixture: 'lms-enterprise-api-v1-enterprise-customer-dashboard_list.json',
    method: 'GET',
    url: `${LMS}/enterprise/api/v1/enterprise-customer/dashboard_list/?page=1`,
  },
  bff: {
    fixture: 'enterprise-access-api-v1-bffs-learner-dashboard.json',
    method: 'POST',
    url: `${BFF}/api/v1/bffs/learner/dashboard/`,
  },
} satisfies Record<string, Source>;

export interface SnapshotOptions {
  features?: Record<string, boolean>;
  capturedAt?: number;
  /** Changes the parsed fixture body before it is serialised and extracted. */
  edit?: (body: Json) => void;
}

/** A FlagSnapshot from a recorded response, through `extract()`. */
export function snapshot(source: Source, options: SnapshotOptions = {}): FlagSnapshot {
  const body = fixture(source.fixture);
  if (options.features) body['enterprise_features'] = options.features;
  options.edit?.(body);
  const result = extract({
    method: source.method,
    url: source.url,
    status: 200,
    body: JSON.stringify(body),
    bodyNote: null,
    capturedAt: options.capturedAt ?? Date.now(),
  });
  if (result.kind !== 'snapshot')
    throw new Error(`fixture ${source.fixture} did not extract: ${JSON.stringify(result)}`);
  return result.snapshot;
}

/** A Diagnostic from a response the extraction refuses, through `extract()`. */
export function diagnostic(
  source: Source,
  status: number,
  body: string | null,
  at: number,
  url = source.url,
): Diagnostic {
  const result = extract({
    method: source.method,
    url,
    status,
    body,
    bodyNote: body === null ? 'the body was too large to read' : null,
    capturedAt: at,
  });
  if (result.kind !== 'diagnostic') throw new Error(`expected a diagnostic, got ${result.kind}`);
  return result.diagnostic;
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** An IdentityResult from the recorded JWT payload, through the real cookie parser. */
export function identity(claims: Json = {}, nowSeconds = Math.floor(Date.now() / 1000)): IdentityResult {
  const payload = { ...fixture('lms-edx-jwt-cookie-header-payload-staff.json'), ...claims };
  const cookie = `${base64Url(JSON.stringify({ alg: 'RS512', typ: 'JWT' }))}.${base64Url(JSON.stringify(payload))}`;
  return parseJwtCookie('edx-jwt-cookie-header-payload', cookie, nowSeconds);
}

export function load(snapshots: FlagSnapshot[], startedAt?: number, url = `${ORIGIN}/test-enterprise`): PageLoad {
  const first = snapshots.reduce((m, s) => Math.min(m, s.capturedAt), Number.POSITIVE_INFINITY);
  return {
    id: randomId('load-'),
    url,
    startedAt: startedAt ?? (Number.isFinite(first) ? first - 1000 : Date.now()),
    snapshots,
  };
}

export function tabState(partial: Partial<TabState> = {}): TabState {
  const url = partial.url ?? `${ORIGIN}/test-enterprise`;
  return {
    tabId: 7,
    origin: new URL(url).origin,
    url,
    identity: identity({ superuser: false }),
    featureParams: [],
    loads: [],
    diagnostics: [],
    ...partial,
  };
}

/**
 * A learner-portal tab whose one load, at `at`, captured `flags` from the LMS's learner endpoint for
 * staff, with no identity cookie: what the enrollment controls' tests start from.
 */
export function learnerTab(
  flags: FlagValue[],
  { at, enterprise = null }: { at: number; enterprise?: EnterpriseRef | null },
): TabState {
  const url = `${ORIGIN}/test-enterprise`;
  const snapshot: FlagSnapshot = {
    source: 'enterprise-learner',
    method: 'GET',
    url: `${LMS}/enterprise/api/v1/enterprise-learner/`,
    status: 200,
    capturedAt: at - 500,
    flags,
    enterprise,
    username: 'staff',
  };
  return tabState({
    url,
    identity: { status: 'missing' },
    loads: [{ id: 'load-1', url, startedAt: at - 1000, snapshots: [snapshot] }],
  });
}

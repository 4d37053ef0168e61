import { describe, expect, it } from 'vitest';
import { fixture, fixtureText } from '../../../test/fixtures';
import { extract, type CapturedResponse } from '../extract';
import { FLAG_NAMES } from '../flag-names';
import { ruleFor, SOURCES } from './index';
import { SOURCE_PATH } from './paths';

const LMS = 'https://courses.edx.org';
const BFF = 'https://enterprise-access.edx.org';

function response(method: string, url: string, body: string, status = 200): CapturedResponse {
  return { method, url, status, body, bodyNote: null, capturedAt: 1_700_000_000_000 };
}

function expectedFlags(name: string) {
  const features = fixture<{ enterprise_features: Record<string, boolean> }>(name).enterprise_features;
  return Object.entries(features).map(([key, on]) => ({ key, on, flag: FLAG_NAMES[key] ?? null }));
}

const cases = [
  {
    id: 'enterprise-learner',
    method: 'GET',
    url: `${LMS}/enterprise/api/v1/enterprise-learner/?username=alice&page=1`,
    file: 'lms-enterprise-api-v1-enterprise-learner.json',
    username: 'alice',
  },
  {
    id: 'enterprise-customer-dashboard-list',
    method: 'GET',
    url: `${LMS}/enterprise/api/v1/enterprise-customer/dashboard_list/?enterprise_slug=test-enterprise`,
    file: 'lms-enterprise-api-v1-enterprise-customer-dashboard_list.json',
    username: null,
  },
  {
    id: 'bff-learner',
    method: 'POST',
    url: `${BFF}/api/v1/bffs/learner/dashboard/`,
    file: 'enterprise-access-api-v1-bffs-learner-dashboard.json',
    username: null,
  },
] as const;

describe('source rules on the recorded fixtures', () => {
  for (const c of cases) {
    it(`${c.id} reads every key of ${c.file}, with flag names and the enterprise`, () => {
      const result = extract(response(c.method, c.url, fixtureText(c.file)));
      expect(result.kind).toBe('snapshot');
      if (result.kind !== 'snapshot') return;
      expect(result.snapshot.source).toBe(c.id);
      expect(result.snapshot.flags).toEqual(expectedFlags(c.file));
      expect(result.snapshot.enterprise).toEqual({
        uuid: '8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60',
        name: 'Test Enterprise',
        slug: 'test-enterprise',
      });
      expect(result.snapshot.username).toBe(c.username);
      expect(result.problems).toEqual([]);
    });
  }

  it('enterprise-customer (?slug=) reads a paginated customer list', () => {
    const body = {
      count: 1,
      results: [{ uuid: 'u-2', name: 'Second', slug: 'second-enterprise', active: true }],
      enterprise_features: { use_algolia_index_v2: true, brand_new_key: false },
    };
    const result = extract(
      response('GET', `${LMS}/enterprise/api/v1/enterprise-customer/?slug=second-enterprise`, JSON.stringify(body)),
    );
    expect(result.kind).toBe('snapshot');
    if (result.kind !== 'snapshot') return;
    expect(result.snapshot.source).toBe('enterprise-customer');
    expect(result.snapshot.enterprise).toEqual({ uuid: 'u-2', name: 'Second', slug: 'second-enterprise' });
    expect(result.snapshot.flags).toEqual([
      { key: 'use_algolia_index_v2', flag: 'enterprise.use_algolia_index_v2', on: true },
      { key: 'brand_new_key', flag: null, on: false },
    ]);
  });

  it('the learner rule picks the active enterprise link when a user has several', () => {
    const body = fixture<Record<string, unknown> & { results: Record<string, unknown>[] }>(
      'lms-enterprise-api-v1-enterprise-learner.json',
    );
    const first = body.results[0]!;
    const other = { ...first, active: false, enterprise_customer: { uuid: 'u-other', name: 'Other', slug: 'other' } };
    body.results = [other, first];
    const result = extract(response('GET', `${LMS}/enterprise/api/v1/enterprise-learner/`, JSON.stringify(body)));
    expect(result.kind === 'snapshot' && result.snapshot.enterprise?.slug).toBe('test-enterprise');
  });

  it('ignores URLs and methods no rule reads', () => {
    for (const [method, url] of [
      ['GET', `${LMS}/enterprise/api/v1/enterprise-learner/7/`],
      ['POST', `${LMS}/enterprise/api/v1/enterprise-learner/`],
      ['GET', `${BFF}/api/v1/bffs/learner/dashboard/`],
      ['GET', `${LMS}/api/user/v1/me`],
      ['GET', 'not a url'],
    ] as const) {
      expect(extract(response(method, url, fixtureText('lms-enterprise-api-v1-enterprise-learner.json'))).kind).toBe(
        'ignored',
      );
    }
  });

  it('the interceptor path pattern matches exactly the paths some rule matches', () => {
    const paths = [
      '/enterprise/api/v1/enterprise-learner/',
      '/enterprise/api/v1/enterprise-learner',
      '/enterprise/api/v1/enterprise-customer/',
      '/enterprise/api/v1/enterprise-customer/dashboard_list/',
      '/enterprise/api/v1/enterprise-customer/with_access_to/',
      '/enterprise/api/v1/enterprise-customer/support_tool/',
      '/enterprise/api/v1/enterprise-customer/basic_list/',
      '/enterprise/api/v1/enterprise-customer/with_access_to/x/',
      '/api/v1/bffs/learner/dashboard/',
      '/api/v1/bffs/learner/skills-quiz/',
      '/api/v1/bffs/learner/',
      '/enterprise/api/v1/enterprise-learner/7/',
      '/enterprise/api/v1/enterprise-customer/abc/',
      '/api/v1/bffs/learner/a/b/',
      '/x/enterprise/api/v1/enterprise-learner/',
      '/api/user/v1/me',
    ];
    for (const path of paths) {
      const anyRule = SOURCES.some((r) => r.path.test(path));
      expect(SOURCE_PATH.test(path), path).toBe(anyRule);
    }
    expect(SOURCES.map((r) => r.id)).toEqual([
      'enterprise-learner',
      'enterprise-customer',
      'enterprise-customer-dashboard-list',
      'enterprise-customer-with-access-to',
      'enterprise-customer-support-tool',
      'bff-learner',
    ]);
  });

  it('ruleFor is case-insensitive on the method', () => {
    expect(ruleFor('post', new URL(`${BFF}/api/v1/bffs/learner/search/`))?.id).toBe('bff-learner');
  });
});

describe('bad bodies become diagnostics with a reason, never exceptions', () => {
  const url = `${LMS}/enterprise/api/v1/enterprise-learner/?username=alice`;
  const reasonOf = (body: string | null, status = 200, note: string | null = null) => {
    const result = extract({ ...response('GET', url, body ?? '', status), body, bodyNote: note });
    expect(result.kind).toBe('diagnostic');
    return result.kind === 'diagnostic' ? result.diagnostic.reason : '';
  };

  it('non-JSON, truncated, HTML and empty bodies', () => {
    expect(reasonOf('{"enterprise_features": {"a": tr')).toMatch(/not valid JSON/);
    expect(reasonOf(fixtureText('lms-enterprise-api-v1-enterprise-learner.json').slice(0, 200))).toMatch(
      /not valid JSON/,
    );
    expect(reasonOf('<!DOCTYPE html><html><body>Server Error (500)</body></html>')).toMatch(/HTML page/);
    expect(reasonOf('')).toMatch(/empty/);
  });

  it('JSON of the wrong shape', () => {
    expect(reasonOf('[1,2]')).toMatch(/an array, not a JSON object/);
    expect(reasonOf('"text"')).toMatch(/a string, not a JSON object/);
    expect(reasonOf('{"results": []}')).toMatch(/no "enterprise_features"/);
    expect(reasonOf('{"enterprise_features": [true]}')).toMatch(/an array/);
    expect(reasonOf('{"enterprise_features": null}')).toMatch(/null/);
  });

  it('HTTP errors and bodies the interceptor did not read', () => {
    expect(reasonOf('{"detail":"nope"}', 403)).toMatch(/HTTP 403/);
    expect(reasonOf(null, 200, 'the body is 5000000 characters, over the cap')).toMatch(/over the cap/);
  });

  it('too many keys', () => {
    const features = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`k${i}`, true]));
    expect(reasonOf(JSON.stringify({ enterprise_features: features }))).toMatch(/501 keys/);
  });

  it('wrong value types are skipped with a problem each; the booleans are kept', () => {
    const body = {
      enterprise_features: { good: true, str: 'true', num: 1, nil: null, obj: {}, ['x'.repeat(201)]: true },
    };
    const result = extract(response('GET', url, JSON.stringify(body)));
    expect(result.kind).toBe('snapshot');
    if (result.kind !== 'snapshot') return;
    expect(result.snapshot.flags).toEqual([{ key: 'good', flag: null, on: true }]);
    expect(result.problems.map((p) => p.reason)).toEqual([
      '"str" is a string, not true/false: skipped',
      '"num" is a number, not true/false: skipped',
      '"nil" is null, not true/false: skipped',
      '"obj" is an object, not true/false: skipped',
      'a key of 201 characters in "enterprise_features" was skipped',
    ]);
  });

  it('prototype-polluting keys are data, not properties', () => {
    const result = extract(response('GET', url, '{"enterprise_features": {"__proto__": true, "constructor": false}}'));
    expect(result.kind === 'snapshot' && result.snapshot.flags.map((f) => f.key)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

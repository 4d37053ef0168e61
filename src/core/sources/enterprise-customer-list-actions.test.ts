// with_access_to and support_tool: the customer viewset's other paginated lists, on recorded shapes.
import { describe, expect, it } from 'vitest';
import { fixture, fixtureText } from '../../../test/fixtures';
import { extract, type CapturedResponse } from '../extract';
import { FLAG_NAMES } from '../flag-names';

const LMS = 'https://courses.edx.org';

function get(url: string, body: string, status = 200): CapturedResponse {
  return { method: 'GET', url, status, body, bodyNote: null, capturedAt: 1_700_000_000_000 };
}

function expectedFlags(name: string) {
  const features = fixture<{ enterprise_features: Record<string, boolean> }>(name).enterprise_features;
  return Object.entries(features).map(([key, on]) => ({ key, on, flag: FLAG_NAMES[key] ?? null }));
}

describe('enterprise-customer/with_access_to/', () => {
  const url = `${LMS}/enterprise/api/v1/enterprise-customer/with_access_to/?permissions=enterprise_data_api_access&enterprise_slug=test-enterprise`;

  it('reads every key, and the one customer the list is narrowed to', () => {
    const result = extract(get(url, fixtureText('lms-enterprise-api-v1-enterprise-customer-with_access_to.json')));
    expect(result.kind).toBe('snapshot');
    if (result.kind !== 'snapshot') return;
    expect(result.snapshot.source).toBe('enterprise-customer-with-access-to');
    expect(result.snapshot.flags).toEqual(
      expectedFlags('lms-enterprise-api-v1-enterprise-customer-with_access_to.json'),
    );
    expect(result.snapshot.enterprise).toEqual({
      uuid: '8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60',
      name: 'Test Enterprise',
      slug: 'test-enterprise',
    });
    expect(result.problems).toEqual([]);
  });

  it('names no enterprise when the list holds several customers', () => {
    const body = fixture<{ results: unknown[] }>('lms-enterprise-api-v1-enterprise-customer-support_tool.json');
    const result = extract(get(url, JSON.stringify(body)));
    expect(result.kind === 'snapshot' && result.snapshot.enterprise).toBeNull();
  });

  it('a 403 (no group permission) is a diagnostic with the status', () => {
    const result = extract(get(url, '{"detail":"You do not have permission."}', 403));
    expect(result.kind === 'diagnostic' && result.diagnostic.reason).toMatch(/HTTP 403/);
  });
});

describe('enterprise-customer/support_tool/', () => {
  const url = `${LMS}/enterprise/api/v1/enterprise-customer/support_tool/?page=1&user_query=test`;

  it('reads every key of a page of customers; a directory names no enterprise', () => {
    const result = extract(get(url, fixtureText('lms-enterprise-api-v1-enterprise-customer-support_tool.json')));
    expect(result.kind).toBe('snapshot');
    if (result.kind !== 'snapshot') return;
    expect(result.snapshot.source).toBe('enterprise-customer-support-tool');
    expect(result.snapshot.flags).toEqual(expectedFlags('lms-enterprise-api-v1-enterprise-customer-support_tool.json'));
    expect(result.snapshot.enterprise).toBeNull();
    expect(result.problems).toEqual([]);
  });

  it('a page without the map is a diagnostic that says so', () => {
    const { enterprise_features: _, ...rest } = fixture<Record<string, unknown>>(
      'lms-enterprise-api-v1-enterprise-customer-support_tool.json',
    );
    const result = extract(get(url, JSON.stringify(rest)));
    expect(result.kind === 'diagnostic' && result.diagnostic.reason).toMatch(/no "enterprise_features"/);
  });
});

describe('customer responses that carry no map are not sources', () => {
  it('a detail (enterprise-customer/<uuid>/) and basic_list are ignored: no diagnostic', () => {
    const one = JSON.stringify(
      fixture<{ results: unknown[] }>('lms-enterprise-api-v1-enterprise-customer-with_access_to.json').results[0],
    );
    for (const path of [
      '/enterprise/api/v1/enterprise-customer/8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60/',
      '/enterprise/api/v1/enterprise-customer/basic_list/',
      '/enterprise/api/v1/enterprise-customer/basic_list/?startswith=Te',
    ]) {
      expect(extract(get(`${LMS}${path}`, one)).kind, path).toBe('ignored');
    }
  });
});

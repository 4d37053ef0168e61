import { randomInt } from '../../test/random';
import { describe, expect, it } from 'vitest';
import { PRESETS } from './environment';
import {
  callableOrigin,
  capturedOrigin,
  chooseService,
  describeServiceChoice,
  SERVICE_OF_SOURCE,
} from './page-services';
import { ruleFor, SOURCES } from './sources';
import type { Environment, SourceId } from './types';

const devstack = PRESETS.find((e) => e.id === 'devstack')!;
const production = PRESETS.find((e) => e.id === 'production')!;
const call = (source: SourceId, url: string, capturedAt = 1) => ({ source, url, capturedAt });

describe('the LMS a page uses', () => {
  it("is the origin of the page's own enterprise-learner / enterprise-customer call, not the environment's", () => {
    const port = randomInt(20000, 50000);
    for (const path of [
      '/enterprise/api/v1/enterprise-learner/?username=staff&page=1',
      '/enterprise/api/v1/enterprise-customer/?slug=acme',
      '/enterprise/api/v1/enterprise-customer/dashboard_list/?enterprise_slug=acme',
    ]) {
      const source = ruleFor('GET', new URL(`http://localhost${path}`))!.id;
      expect(chooseService('lms', devstack, [call(source, `http://localhost:${port}${path}`)])).toEqual({
        origin: `http://localhost:${port}`,
        from: 'page',
      });
    }
  });

  it('falls back to the environment only when the page has called no LMS endpoint', () => {
    expect(chooseService('lms', devstack, [])).toEqual({ origin: 'http://localhost:18000', from: 'environment' });
    // A BFF call says where enterprise-access is, not the LMS.
    const bff = call('bff-learner', 'http://localhost:41234/api/v1/bffs/learner/dashboard/');
    expect(chooseService('lms', devstack, [bff])).toEqual({ origin: devstack.lms, from: 'environment' });
    expect(chooseService('lms', null, [])).toBeNull();
  });

  it('the BFF origin, likewise, is the one the page called', () => {
    const bff = call('bff-learner', 'http://localhost:41234/api/v1/bffs/learner/search/');
    const learner = call('enterprise-learner', 'http://localhost:41233/enterprise/api/v1/enterprise-learner/');
    expect(chooseService('enterpriseAccess', devstack, [learner, bff])).toEqual({
      origin: 'http://localhost:41234',
      from: 'page',
    });
    expect(chooseService('enterpriseAccess', devstack, [learner])).toEqual({
      origin: 'http://localhost:18270',
      from: 'environment',
    });
    const custom: Environment = { ...production, id: 'custom-x', enterpriseAccess: null };
    expect(chooseService('enterpriseAccess', custom, [])).toBeNull();
  });

  it('a production portal whose page calls another LMS host uses that host', () => {
    const learner = call('enterprise-learner', 'https://lms.acme.org/enterprise/api/v1/enterprise-learner/');
    expect(chooseService('lms', production, [learner])).toEqual({ origin: 'https://lms.acme.org', from: 'page' });
  });

  it('the most recent capture wins when the page called two', () => {
    const a = call('enterprise-learner', 'http://localhost:41001/enterprise/api/v1/enterprise-learner/', 10);
    const b = call('enterprise-customer', 'http://localhost:41002/enterprise/api/v1/enterprise-customer/', 20);
    expect(capturedOrigin('lms', [a, b])).toBe('http://localhost:41002');
    expect(capturedOrigin('lms', [b, a])).toBe('http://localhost:41002');
  });

  it('only origins the extension may call: https, or http on this machine; no credentials in the URL', () => {
    expect(callableOrigin('https://courses.edx.org/enterprise/api/v1/enterprise-learner/')).toBe(
      'https://courses.edx.org',
    );
    expect(callableOrigin('http://127.0.0.1:9/x')).toBe('http://127.0.0.1:9');
    expect(callableOrigin('http://lms.acme.localhost/x')).toBe('http://lms.acme.localhost');
    expect(callableOrigin('http://courses.edx.org/x')).toBeNull();
    expect(callableOrigin('https://u:p@courses.edx.org/x')).toBeNull();
    expect(callableOrigin('ftp://courses.edx.org/x')).toBeNull();
    expect(callableOrigin('not a url')).toBeNull();
    const plain = call('enterprise-learner', 'http://lms.example.com/enterprise/api/v1/enterprise-learner/');
    expect(chooseService('lms', devstack, [plain])).toEqual({ origin: devstack.lms, from: 'environment' });
  });

  it('every source names its service', () => {
    expect(Object.keys(SERVICE_OF_SOURCE).sort()).toEqual(SOURCES.map((s) => s.id).sort());
  });

  it('says which LMS or BFF, and why, in words', () => {
    expect(describeServiceChoice('lms', { origin: 'http://localhost:41000', from: 'page' }, 'Devstack')).toBe(
      'LMS: http://localhost:41000 (the one this page calls)',
    );
    expect(describeServiceChoice('lms', { origin: devstack.lms, from: 'environment' }, 'Devstack')).toBe(
      "LMS: http://localhost:18000 (Devstack's setting: this page has called no LMS yet)",
    );
    expect(describeServiceChoice('enterpriseAccess', { origin: 'http://localhost:41001', from: 'page' }, null)).toBe(
      'enterprise-access (BFF): http://localhost:41001 (the one this page calls)',
    );
    expect(describeServiceChoice('enterpriseAccess', null, 'Acme')).toBe(
      'enterprise-access (BFF): none known for this page',
    );
  });
});

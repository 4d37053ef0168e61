import { describe, expect, it } from 'vitest';
import manifest from '../../manifest.json' with { type: 'json' };
import { detectContext, PRESETS } from './environment';
import {
  allEnvironments,
  environmentId,
  matchPattern,
  parseOrigin,
  patternsNeeded,
  patternsToRelease,
  readCustomEnvironments,
  STATIC_HOST_PATTERNS,
  storedValue,
  validateEnvironment,
  type EnvironmentInput,
} from './settings';
import type { Environment } from './types';

const input = (over: Partial<EnvironmentInput> = {}): EnvironmentInput => ({
  label: 'Acme production',
  learnerPortals: 'https://learner.acme.org',
  adminPortals: 'https://admin.acme.org',
  lms: 'https://courses.acme.org',
  jwtCookiePrefix: '',
  ...over,
});

function valid(over: Partial<EnvironmentInput> = {}, custom: Environment[] = []): Environment {
  const r = validateEnvironment(input(over), custom);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.environment;
}

describe('parseOrigin', () => {
  it('accepts https origins and loopback http, normalised', () => {
    expect(parseOrigin(' https://Learner.Acme.org/ ')).toEqual({ ok: true, origin: 'https://learner.acme.org' });
    expect(parseOrigin('https://learner.acme.org:8443')).toEqual({ ok: true, origin: 'https://learner.acme.org:8443' });
    expect(parseOrigin('https://learner.acme.org:443')).toEqual({ ok: true, origin: 'https://learner.acme.org' });
    expect(parseOrigin('http://localhost:8734')).toEqual({ ok: true, origin: 'http://localhost:8734' });
    expect(parseOrigin('http://acme.localhost:2000')).toEqual({ ok: true, origin: 'http://acme.localhost:2000' });
    expect(parseOrigin('http://127.0.0.1:1991')).toEqual({ ok: true, origin: 'http://127.0.0.1:1991' });
  });

  it.each([
    ['', /Enter an origin/],
    ['learner.acme.org', /not an origin/],
    ['not an origin', /not an origin/],
    ['ftp://learner.acme.org', /only https/],
    ['javascript:alert(1)', /only https/],
    ['http://learner.acme.org', /only https is allowed/],
    ['http://localhost.evil.com', /only https is allowed/],
    ['http://127.0.0.2', /only https is allowed/],
    ['https://learner.acme.org/path', /path/],
    ['https://learner.acme.org/?x=1', /path/],
    ['https://learner.acme.org/#x', /path/],
    ['https://user:pw@learner.acme.org', /user name or password/],
    ['http://[::1]:8000', /IPv6/],
  ])('refuses %j with a message', (raw, message) => {
    const r = parseOrigin(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(message);
  });
});

describe('validateEnvironment', () => {
  it('returns the environment to save, with a stable id', () => {
    const env = valid({
      learnerPortals: 'https://l1.acme.org\nhttps://l2.acme.org, https://l3.acme.org',
      jwtCookiePrefix: 'acme-',
    });
    expect(env).toEqual({
      id: 'custom-acme-production',
      label: 'Acme production',
      preset: false,
      learnerPortals: ['https://l1.acme.org', 'https://l2.acme.org', 'https://l3.acme.org'],
      adminPortals: ['https://admin.acme.org'],
      lms: 'https://courses.acme.org',
      enterpriseAccess: null,
      jwtCookiePrefix: 'acme-',
    });
    expect(environmentId('Acme production', new Set(['custom-acme-production']))).toBe('custom-acme-production-2');
    expect(environmentId('!!!', new Set())).toBe('custom-custom');
  });

  it('refuses origins another environment (preset or custom) owns, or listed twice', () => {
    const acme = valid();
    const taken = validateEnvironment(input({ label: 'Other', learnerPortals: 'https://enterprise.edx.org' }), []);
    expect(taken).toMatchObject({ ok: false, errors: { learnerPortals: expect.stringMatching(/Production/) } });
    const mine = validateEnvironment(
      input({ label: 'Other', learnerPortals: 'https://x.org', adminPortals: 'https://admin.acme.org' }),
      [acme],
    );
    expect(mine).toMatchObject({ ok: false, errors: { adminPortals: expect.stringMatching(/Acme production/) } });
    const twice = validateEnvironment(input({ learnerPortals: 'https://x.org', adminPortals: 'https://x.org/' }), []);
    expect(twice).toMatchObject({ ok: false, errors: { adminPortals: expect.stringMatching(/twice/) } });
    const devstack = validateEnvironment(input({ learnerPortals: 'http://localhost:8734' }), []);
    expect(devstack).toMatchObject({ ok: false, errors: { learnerPortals: expect.stringMatching(/Devstack/) } });
  });

  it('reports every bad field at once and accepts nothing', () => {
    const r = validateEnvironment(
      { label: ' ', learnerPortals: '', adminPortals: '', lms: 'courses', jwtCookiePrefix: 'a b' },
      [],
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['jwtCookiePrefix', 'label', 'learnerPortals', 'lms']);
  });

  it('refuses a label already in use, case-insensitively, and a long one', () => {
    expect(validateEnvironment(input({ label: 'stage' }), [])).toMatchObject({
      ok: false,
      errors: { label: expect.stringMatching(/exists/) },
    });
    expect(validateEnvironment(input({ label: 'x'.repeat(61) }), [])).toMatchObject({
      ok: false,
      errors: { label: expect.stringMatching(/longer/) },
    });
  });

  it('caps the number of environments and origins', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      ...valid({ label: `E${i}`, learnerPortals: `https://l${i}.org`, adminPortals: '' }),
    }));
    expect(validateEnvironment(input(), many)).toMatchObject({
      ok: false,
      errors: { label: expect.stringMatching(/At most 20/) },
    });
    const origins = Array.from({ length: 11 }, (_, i) => `https://l${i}.org`).join('\n');
    expect(validateEnvironment(input({ learnerPortals: origins }), [])).toMatchObject({
      ok: false,
      errors: { learnerPortals: expect.stringMatching(/At most 10/) },
    });
  });

  it('accepts the cookie prefixes Open edX uses, and none', () => {
    for (const p of ['', 'stage-', 'acme_', 'x.y-']) expect(valid({ jwtCookiePrefix: p }).jwtCookiePrefix).toBe(p);
    for (const p of ['a;b', 'a=b', 'é-', 'x'.repeat(41)]) {
      expect(validateEnvironment(input({ jwtCookiePrefix: p }), [])).toMatchObject({
        ok: false,
        errors: { jwtCookiePrefix: expect.any(String) },
      });
    }
  });
});

describe('host permissions', () => {
  it('the static patterns are exactly the manifest host permissions and content script matches', () => {
    expect([...manifest.host_permissions].sort()).toEqual([...STATIC_HOST_PATTERNS]);
    for (const cs of manifest.content_scripts) expect([...cs.matches].sort()).toEqual([...STATIC_HOST_PATTERNS]);
  });

  it('asks only for hosts the manifest does not cover, by host (match patterns have no port)', () => {
    const env = valid({
      learnerPortals: 'https://l.acme.org:8443\nhttp://localhost:9000',
      adminPortals: 'http://a.localhost:3000',
    });
    expect(patternsNeeded(env)).toEqual(['http://a.localhost/*', 'https://l.acme.org/*']);
    expect(matchPattern('https://l.acme.org:8443')).toBe('https://l.acme.org/*');
    const local = valid({ learnerPortals: 'http://127.0.0.1:9000', adminPortals: '' });
    expect(patternsNeeded(local)).toEqual([]);
  });

  it('every pattern asked for at run time is within optional_host_permissions', () => {
    const optional = manifest.optional_host_permissions;
    const covered = (p: string) =>
      optional.some((o) => {
        const [scheme, host] = [o.split('://')[0], o.split('://')[1]!.split('/')[0]!];
        const [ps, ph] = [p.split('://')[0], p.split('://')[1]!.split('/')[0]!];
        return scheme === ps && (host === '*' || (host.startsWith('*.') && ph.endsWith(host.slice(1))) || host === ph);
      });
    const env = valid({ learnerPortals: 'https://l.acme.org', adminPortals: 'http://a.localhost:3000' });
    for (const p of patternsNeeded(env)) expect(covered(p), p).toBe(true);
    expect(optional).not.toContain('<all_urls>');
  });

  it('gives back only what no remaining environment needs', () => {
    const a = valid({ label: 'A', learnerPortals: 'https://l.acme.org', adminPortals: 'https://shared.acme.org:1' });
    const b = valid({ label: 'B', learnerPortals: 'https://l2.acme.org', adminPortals: 'https://shared.acme.org:2' }, [
      a,
    ]);
    expect(patternsToRelease(a, [b])).toEqual(['https://l.acme.org/*']);
    expect(patternsToRelease(a, [])).toEqual(['https://l.acme.org/*', 'https://shared.acme.org/*']);
  });
});

describe('stored environments', () => {
  it('round-trip through storedValue/readCustomEnvironments', () => {
    const a = valid();
    const b = valid({ label: 'B', learnerPortals: 'https://b.org', adminPortals: '', jwtCookiePrefix: 'b-' }, [a]);
    expect(readCustomEnvironments(JSON.parse(JSON.stringify(storedValue([a, b]))))).toEqual([a, b]);
  });

  it('drops anything malformed or claiming a preset', () => {
    const a = valid();
    const bad: unknown[] = [
      null,
      'x',
      { ...a, id: 'production' },
      { ...a, id: 'custom-other', learnerPortals: ['https://enterprise.edx.org'] },
      { ...a, id: 'custom-x2', learnerPortals: ['http://evil.example'] },
      { ...a, id: 'custom-x3', lms: 'javascript:alert(1)' },
      { ...a, id: 'custom-x4', jwtCookiePrefix: 'a;b' },
      { ...a, id: 'custom-x5', learnerPortals: [], adminPortals: [] },
      { ...a, id: 'custom-x6', label: '' },
      { ...a, id: 'custom-x7', learnerPortals: ['https://learner.acme.org/path'] },
      { ...a, id: 'custom-acme-dup' }, // same origins as `a`
    ];
    expect(readCustomEnvironments({ version: 1, custom: [a, ...bad] })).toEqual([a]);
    expect(readCustomEnvironments(undefined)).toEqual([]);
    expect(readCustomEnvironments({ custom: 'no' })).toEqual([]);
  });

  it('custom environments are recognised by detectContext, before the presets', () => {
    const acme = valid({ learnerPortals: 'http://localhost:9000', adminPortals: '', jwtCookiePrefix: 'acme-' });
    const envs = allEnvironments([acme]);
    expect(envs.slice(1)).toEqual([...PRESETS]);
    expect(detectContext('http://localhost:9000/x', envs).environment?.id).toBe(acme.id);
    expect(detectContext('http://localhost:9001/x', envs).environment?.id).toBe('devstack');
    expect(detectContext('https://admin.acme.org/x/admin', allEnvironments([valid()]))).toMatchObject({
      portal: 'admin',
    });
  });
});

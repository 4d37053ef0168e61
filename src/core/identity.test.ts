import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures';
import { describeIdentityProblem, findJwtCookie, identityFromCookies, parseJwtCookie } from './identity';

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const cookieValue = (claims: unknown) => `${header}.${b64url(JSON.stringify(claims))}`;
const staff = fixture('lms-edx-jwt-cookie-header-payload-staff.json');
const NOW = 1_764_000_100;

describe('identity from the JWT header.payload cookie', () => {
  it('reads the staff fixture claims', () => {
    const result = identityFromCookies(
      `foo=1; edx-jwt-cookie-header-payload=${cookieValue(staff)}; csrftoken=x`,
      '',
      NOW,
    );
    expect(result).toEqual({
      status: 'ok',
      cookieName: 'edx-jwt-cookie-header-payload',
      identity: {
        username: 'qa-staff',
        email: 'qa-staff@example.com',
        name: 'QA Staff',
        userId: 4,
        staff: true,
        superuser: false,
        roles: [
          { role: 'enterprise_openedx_operator', context: '*' },
          { role: 'enterprise_admin', context: '8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60' },
        ],
        expiresAt: 4102444800,
      },
    });
  });

  it('finds prefixed cookies (stage-) and prefers the wanted prefix', () => {
    const stage = cookieValue({ ...staff, preferred_username: 'on-stage' });
    const prod = cookieValue({ ...staff, preferred_username: 'on-prod' });
    const cookies = `stage-edx-jwt-cookie-header-payload=${stage}; edx-jwt-cookie-header-payload=${prod}`;
    expect(findJwtCookie(cookies, 'stage-')?.name).toBe('stage-edx-jwt-cookie-header-payload');
    expect(findJwtCookie(cookies, '')?.name).toBe('edx-jwt-cookie-header-payload');
    const only = identityFromCookies(`stage-edx-jwt-cookie-header-payload=${stage}`, '', NOW);
    expect(only.status === 'ok' && only.identity.username).toBe('on-stage');
  });

  it('says missing, expired and garbled in words', () => {
    expect(identityFromCookies('a=b; c=d', '', NOW)).toEqual({ status: 'missing' });
    const expired = parseJwtCookie('edx-jwt-cookie-header-payload', cookieValue({ ...staff, exp: NOW - 1 }), NOW);
    expect(expired.status).toBe('expired');
    const cases: [string, RegExp][] = [
      ['nodots', /not a JWT header.payload pair/],
      [`${header}.***`, /not base64url/],
      [`${header}.${b64url('not json')}`, /not JSON/],
      [`${header}.${b64url('[1]')}`, /not an object of claims/],
      [`${header}.${b64url('{"user_id":3}')}`, /no preferred_username/],
      ['%E0%A4%A', /URL-encoded/],
    ];
    for (const [value, reason] of cases) {
      const result = parseJwtCookie('edx-jwt-cookie-header-payload', value, NOW);
      expect(result.status, value).toBe('garbled');
      expect(result.status === 'garbled' && result.reason, value).toMatch(reason);
      expect(describeIdentityProblem(result)).toMatch(/could not be read/);
    }
    expect(describeIdentityProblem({ status: 'missing' })).toMatch(/not signed in/);
    expect(describeIdentityProblem(expired)).toMatch(/expired/);
  });

  it('keeps only enterprise roles and ignores junk in claims', () => {
    const result = parseJwtCookie(
      'x-edx-jwt-cookie-header-payload',
      cookieValue({
        preferred_username: 'u',
        roles: ['enterprise_learner:abc', 'other_role:1', 5, 'enterprise_admin'],
        administrator: 'yes',
      }),
      NOW,
    );
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.identity.roles).toEqual([
      { role: 'enterprise_learner', context: 'abc' },
      { role: 'enterprise_admin', context: '*' },
    ]);
    expect(result.identity.staff).toBe(false);
    expect(result.identity.expiresAt).toBeNull();
  });

  it('reads non-ASCII names', () => {
    const result = parseJwtCookie(
      'edx-jwt-cookie-header-payload',
      cookieValue({ preferred_username: 'zoë', name: 'Zoë Ångström' }),
      NOW,
    );
    expect(result.status === 'ok' && result.identity.name).toBe('Zoë Ångström');
  });
});

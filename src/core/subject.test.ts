import { describe, expect, it } from 'vitest';
import { CUSTOMER_A, CUSTOMER_B, flagJson, flagsJson, rand, subjectJson } from '../../test/lms-answers';
import { backendRoutes } from '../content/backend-routes';
import { parseFlagsResponse } from './backend-answers';
import { fromUrlFor, parseLookups, parseSubject, parseUserSuggestions, validFromUrl, validUserValue } from './subject';

describe('the subject of a GET flags/ answer', () => {
  it('reads who it is, their customers, and per flag their customer enrollments and undecided values', () => {
    const name = `enterprise.${rand()}`;
    const answer = parseFlagsResponse(
      flagsJson(
        [
          flagJson(name, null, {
            criteria: { percent: 30, groups: [], customers: [CUSTOMER_A, { name: 'no uuid' }] },
            me: {
              listed: false,
              groups: [],
              customers: [{ id: 5, enterprise_customer: CUSTOMER_A, expires_at: '2026-11-27T10:00:00Z' }, { id: 'x' }],
            },
          }),
        ],
        {
          subject: subjectJson('learner2', {
            is_active: false,
            enterprise_customers: [
              { ...CUSTOMER_A, active: true },
              { ...CUSTOMER_B, active: false },
            ],
          }),
          permissions: { can_view_others: true },
          truncated: true,
        },
      ),
    );
    expect(answer.subject).toMatchObject({
      username: 'learner2',
      email: 'learner2@example.com',
      isActive: false,
      isStaff: false,
      enterpriseCustomers: [
        { ...CUSTOMER_A, active: true },
        { ...CUSTOMER_B, active: false },
      ],
    });
    expect(answer.permissions.canViewOthers).toBe(true);
    expect(answer.truncated).toBe(true);
    const flag = answer.flags[0]!;
    expect(flag.undecided).toBe(true);
    expect(flag.activeForMe).toBe(false);
    expect(flag.customers).toEqual([CUSTOMER_A]);
    expect(flag.myCustomers).toEqual([{ id: 5, customer: CUSTOMER_A, expiresAt: '2026-11-27T10:00:00Z' }]);
  });

  it('an older backend: no subject, no can_view_others, decided values', () => {
    const answer = parseFlagsResponse(
      flagsJson([flagJson('enterprise.a', false)], { subject: null, permissions: { can_view_others: undefined } }),
    );
    expect(answer.subject).toBeNull();
    expect(answer.permissions.canViewOthers).toBe(false);
    expect(answer.truncated).toBe(false);
    expect(answer.flags[0]!.undecided).toBe(false);
    expect(parseSubject({ username: 'x' })).toBeNull();
  });
});

describe('users/ and lookups/ answers', () => {
  it('keeps at most 10 well-formed suggestions', () => {
    const results = Array.from({ length: 14 }, (_, i) => ({ id: i + 1, username: `learner${i}`, email: `l${i}@e` }));
    const users = parseUserSuggestions({ results: [{ id: 'bad' }, ...results] });
    expect(users).toHaveLength(10);
    expect(users[0]).toEqual({ id: 1, username: 'learner0', email: 'l0@e' });
    expect(() => parseUserSuggestions({ users: [] })).toThrow(/GET users\/ .*no "results"/);
  });

  it('reads the recent lookups, dropping malformed ones', () => {
    const lookups = parseLookups({
      results: [
        {
          id: 2,
          at: '2026-11-26T10:00:00Z',
          subject: { id: 8, username: 'learner2', email: 'l2@e' },
          from_url: 'http://localhost:8734/test-enterprise',
        },
        { id: 3, at: 'x', subject: null },
        { id: 4, at: '2026-11-25T10:00:00Z', subject: { id: null, username: 'gone', email: '' }, from_url: '' },
      ],
    });
    expect(lookups).toEqual([
      {
        id: 2,
        at: '2026-11-26T10:00:00Z',
        subject: { id: 8, username: 'learner2', email: 'l2@e' },
        fromUrl: 'http://localhost:8734/test-enterprise',
      },
      { id: 4, at: '2026-11-25T10:00:00Z', subject: { id: 0, username: 'gone', email: '' }, fromUrl: '' },
    ]);
    expect(() => parseLookups(null)).toThrow(/GET lookups\//);
  });
});

const flagsCheck = (p: Record<string, unknown>) => backendRoutes['backend/flags'].check(p);
const usersCheck = (p: Record<string, unknown>) => backendRoutes['backend/users'].check(p);
const lookupsCheck = (p: Record<string, unknown>) => backendRoutes['backend/lookups'].check(p);

describe('requests that look at other users, as the content script checks them', () => {
  it('accepts flags/ with user, q and from_url, and refuses malformed ones', () => {
    const user = `learner_${rand()}`;
    expect(flagsCheck({ names: ['enterprise.a'], user, fromUrl: 'http://localhost:8734/x' })).toEqual({
      names: ['enterprise.a'],
      user,
      fromUrl: 'http://localhost:8734/x',
    });
    expect(flagsCheck({ q: 'pathways', user })).toEqual({ q: 'pathways', user });
    expect(flagsCheck({ q: 'a', names: ['b'] })).toBeNull(); // names and q together
    expect(flagsCheck({ q: '' })).toBeNull();
    expect(flagsCheck({ q: 'x'.repeat(101) })).toBeNull();
    expect(flagsCheck({ user: '' })).toBeNull();
    expect(flagsCheck({ user: 'a\nb' })).toBeNull();
    expect(flagsCheck({ user: 'x'.repeat(255) })).toBeNull();
    expect(flagsCheck({ fromUrl: 'http://localhost/x' })).toBeNull(); // from_url only with a user
    expect(flagsCheck({ user, fromUrl: 'javascript:alert(1)' })).toBeNull();
  });

  it('accepts users/ from 2 characters and lookups/ with a sane limit', () => {
    expect(usersCheck({ q: 'le' })).toEqual({ q: 'le' });
    expect(usersCheck({ q: 'l' })).toBeNull();
    expect(usersCheck({ q: 42 })).toBeNull();
    expect(lookupsCheck({})).toEqual({});
    expect(lookupsCheck({ limit: 20 })).toEqual({ limit: 20 });
    expect(lookupsCheck({ limit: 0 })).toBeNull();
    expect(lookupsCheck({ limit: 1e6 })).toBeNull();
  });

  it('user values and page URLs', () => {
    expect(validUserValue('learner2@example.com')).toBe(true);
    expect(validUserValue(' learner2')).toBe(false);
    expect(validFromUrl('https://enterprise.edx.org/acme')).toBe(true);
    expect(validFromUrl('https://enterprise.edx.org/' + 'x'.repeat(500))).toBe(false);
  });

  it('from_url: the page as it is, or its origin and path when the query makes it too long', () => {
    expect(fromUrlFor('http://localhost:8734/test-enterprise?a=1')).toBe('http://localhost:8734/test-enterprise?a=1');
    const long = `http://localhost:8734/test-enterprise?q=${'x'.repeat(600)}`;
    expect(fromUrlFor(long)).toBe('http://localhost:8734/test-enterprise');
    expect(fromUrlFor('chrome://extensions')).toBeNull();
    expect(fromUrlFor('not a url')).toBeNull();
  });
});

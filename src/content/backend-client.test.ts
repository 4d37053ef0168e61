import { describe, expect, it } from 'vitest';
import { describeBackendError, failed, type BackendAnswer, type BackendError } from '../core/backend-error';
import { route, MESSAGE_TAG } from '../core/messages';
import { backendRoutes, type LmsClient } from './backend-routes';
import { BackendClient, type FetchLike } from './backend-client';

const LMS = 'http://localhost:18000';
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const flagsBody = {
  user: { id: 4, username: 'staff', email: 'staff@example.com' },
  permissions: { can_enroll_self: true, can_enroll_others: false },
  policy: {
    max_duration_seconds: 604800,
    default_duration_seconds: 3600,
    max_reason_length: 500,
    enrollable_patterns: ['enterprise.*'],
  },
  now: '2026-11-26T10:00:00Z',
  flags: [
    {
      name: 'enterprise.x',
      note: '',
      criteria: {
        everyone: null,
        percent: 0,
        testing: false,
        superusers: true,
        staff: false,
        authenticated: false,
        groups: [],
        user_count: 0,
      },
      active_for_me: false,
      enrollable: true,
      not_enrollable_reason: null,
      my_enrollment: null,
    },
  ],
};
const enrollment = {
  id: 9,
  flag: 'enterprise.x',
  user: { id: 4, username: 'staff', email: 's@e' },
  created_by: { id: 4, username: 'staff', email: 's@e' },
  reason: 'QA-1',
  created_at: '2026-11-26T10:00:00Z',
  expires_at: '2026-11-26T11:00:00Z',
  ended_at: null,
  end_reason: null,
  ended_by: null,
  preexisting_membership: false,
  state: 'live',
};

/** The page's own JWT cookie: still valid, or expired (the one case a 401 is refreshed). */
const jwtFresh = () => false;
const jwtExpired = () => true;

/** A scripted fetch: answers in order, records every request. */
function scripted(...answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error('unexpected request ' + url);
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetchFn };
}

const errorOf = (r: BackendAnswer<unknown>): BackendError => {
  expect(r.ok).toBe(false);
  return (r as { ok: false; error: BackendError }).error;
};

describe('BackendClient', () => {
  it('GET flags/ with the user session, parsed into the typed shape', async () => {
    const { calls, fetchFn } = scripted(json(200, flagsBody));
    const r = await new BackendClient(LMS, fetchFn, jwtFresh).flags();
    expect(r.ok).toBe(true);
    expect(calls[0]?.url).toBe(`${LMS}/api/waffle-enrollments/v1/flags/`);
    expect(calls[0]?.init).toMatchObject({ method: 'GET', credentials: 'include', mode: 'cors' });
    const data = (r as { ok: true; data: { permissions: unknown; flags: { name: string }[] } }).data;
    expect(data.permissions).toEqual({
      canEnrollSelf: true,
      canEnrollOthers: false,
      canEnrollCustomers: false,
      canViewOthers: false,
    });
    expect(data.flags[0]?.name).toBe('enterprise.x');
  });

  it('GET flags/?names= asks for only the named flags, comma-separated; an empty list for none', async () => {
    const { calls, fetchFn } = scripted(json(200, flagsBody), json(200, flagsBody), json(200, flagsBody));
    const client = new BackendClient(LMS, fetchFn, jwtFresh);
    expect((await client.flags(['enterprise.x', 'enterprise.a&b=c'])).ok).toBe(true);
    await client.flags([]);
    await client.flags();
    expect(calls.map((c) => c.url.replace(LMS, ''))).toEqual([
      '/api/waffle-enrollments/v1/flags/?names=enterprise.x%2Centerprise.a%26b%3Dc',
      '/api/waffle-enrollments/v1/flags/?names=',
      '/api/waffle-enrollments/v1/flags/',
    ]);
    expect(new URL(calls[0]!.url).searchParams.get('names')).toBe('enterprise.x,enterprise.a&b=c');
  });

  it('POST enrollments/ fetches a CSRF token first and sends it, with a JSON body', async () => {
    const { calls, fetchFn } = scripted(json(200, { csrfToken: 'tok123' }), json(201, enrollment));
    const r = await new BackendClient(LMS, fetchFn, jwtFresh).enroll({
      flag: 'enterprise.x',
      durationSeconds: 3600,
      reason: 'QA-1',
    });
    expect(r.ok).toBe(true);
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      `GET ${LMS}/csrf/api/v1/token`,
      `POST ${LMS}/api/waffle-enrollments/v1/enrollments/`,
    ]);
    const headers = calls[1]!.init.headers as Record<string, string>;
    expect(headers['X-CSRFToken']).toBe('tok123');
    expect(JSON.parse(calls[1]!.init.body as string)).toEqual({ flag: 'enterprise.x', duration: 3600, reason: 'QA-1' });
  });

  it("a 401 while the page's JWT cookie has expired is refreshed once, then the call is retried", async () => {
    const { calls, fetchFn } = scripted(
      json(401, { detail: 'expired' }),
      json(200, { csrfToken: 't' }),
      new Response(null, { status: 204 }),
      json(200, flagsBody),
    );
    const r = await new BackendClient(LMS, fetchFn, jwtExpired).flags();
    expect(r.ok).toBe(true);
    expect(calls.map((c) => c.url.replace(LMS, ''))).toEqual([
      '/api/waffle-enrollments/v1/flags/',
      '/csrf/api/v1/token',
      '/login_refresh',
      '/api/waffle-enrollments/v1/flags/',
    ]);
  });

  it('401 that cannot be refreshed says to sign in at the LMS', async () => {
    const { fetchFn } = scripted(
      json(401, { detail: 'Sign in to the LMS' }),
      json(200, { csrfToken: 't' }),
      json(401, {}),
    );
    const e = errorOf(await new BackendClient(LMS, fetchFn, jwtExpired).flags());
    expect(e).toMatchObject({ kind: 'http', status: 401 });
    expect(describeBackendError(e)).toMatch(`Sign in at ${LMS}/login`);
  });

  it("a 401 while the page's JWT cookie is valid (or absent) asks for no refresh: it could only sign the portal out", async () => {
    const read = scripted(json(401, { detail: 'Who are you?' }));
    const write = scripted(json(200, { csrfToken: 't' }), json(401, { detail: 'Who are you?' }));
    for (const [answers, ask] of [
      [read, (c: BackendClient) => c.flags()],
      [write, (c: BackendClient) => c.revoke(3)],
    ] as const) {
      const e = errorOf(await ask(new BackendClient(LMS, answers.fetchFn, jwtFresh)));
      expect(e).toMatchObject({ kind: 'http', status: 401, detail: 'Who are you?', lms: LMS });
      expect(answers.calls.map((c) => c.url)).not.toContain(`${LMS}/login_refresh`);
      expect(answers.calls.filter((c) => c.url.includes('/api/waffle-enrollments/'))).toHaveLength(1);
    }
  });

  it('404 on flags/ means the plugin is not installed; 404 on an enrollment is "not found"', async () => {
    const missing = errorOf(
      await new BackendClient(
        LMS,
        scripted(new Response('<h1>Not Found</h1>', { status: 404 })).fetchFn,
        jwtFresh,
      ).flags(),
    );
    expect(missing.kind).toBe('not-installed');
    expect(describeBackendError(missing)).toMatch(/plugin is not installed/);
    const gone = errorOf(
      await new BackendClient(
        LMS,
        scripted(json(200, { csrfToken: 't' }), json(404, { detail: 'No enrollment 5.' })).fetchFn,
        jwtFresh,
      ).revoke(5),
    );
    expect(gone).toMatchObject({ kind: 'http', status: 404, detail: 'No enrollment 5.' });
  });

  it('403 and 409 carry the server reason', async () => {
    const forbidden = errorOf(
      await new BackendClient(
        LMS,
        scripted(json(403, { detail: 'Waffle enrollments are for LMS staff' })).fetchFn,
        jwtFresh,
      ).flags(),
    );
    expect(describeBackendError(forbidden)).toBe('Not allowed. The LMS says: “Waffle enrollments are for LMS staff”');
    const conflict = errorOf(
      await new BackendClient(
        LMS,
        scripted(json(200, { csrfToken: 't' }), json(409, { detail: 'already enrolled until 11:00' })).fetchFn,
        jwtFresh,
      ).enroll({ flag: 'enterprise.x', durationSeconds: 60, reason: 'r' }),
    );
    expect(describeBackendError(conflict)).toMatch(/Conflict\. The LMS says: “already enrolled until 11:00”/);
  });

  it('400 lists each field', async () => {
    const e = errorOf(
      await new BackendClient(
        LMS,
        scripted(
          json(200, { csrfToken: 't' }),
          json(400, {
            detail: 'Invalid input.',
            errors: { duration: 'Must be at most 604800 seconds', reason: 'Must not be blank.' },
          }),
        ).fetchFn,
        jwtFresh,
      ).enroll({ flag: 'enterprise.x', durationSeconds: 9e9, reason: ' ' }),
    );
    expect(e.fields).toEqual({ duration: 'Must be at most 604800 seconds', reason: 'Must not be blank.' });
    expect(describeBackendError(e)).toBe(
      'The request was not accepted: duration: Must be at most 604800 seconds; reason: Must not be blank..',
    );
  });

  it('an unreachable LMS, or CORS refusal, is a network error that names the LMS', async () => {
    const e = errorOf(
      await new BackendClient(LMS, scripted(new TypeError('Failed to fetch')).fetchFn, jwtFresh).flags(),
    );
    expect(e.kind).toBe('network');
    expect(describeBackendError(e)).toMatch(`Could not reach ${LMS}`);
    const csrf = errorOf(await new BackendClient(LMS, scripted(json(500, {})).fetchFn, jwtFresh).revoke(1));
    expect(csrf.detail).toMatch(/CSRF/);
  });

  it('answers of the wrong shape are reported, not trusted', async () => {
    const notJson = errorOf(
      await new BackendClient(LMS, scripted(new Response('<html>', { status: 200 })).fetchFn, jwtFresh).flags(),
    );
    expect(notJson).toMatchObject({ kind: 'bad-response', detail: 'the answer is not JSON' });
    const wrong = errorOf(
      await new BackendClient(LMS, scripted(json(200, { flags: 'nope' })).fetchFn, jwtFresh).flags(),
    );
    expect(wrong.kind).toBe('bad-response');
    expect(describeBackendError(wrong)).toMatch(/unexpected shape/);
  });

  it('5xx says to try again', () => {
    expect(describeBackendError({ kind: 'http', status: 503, detail: '', fields: {}, lms: LMS })).toMatch(
      /failed with HTTP 503. Try again/,
    );
  });
});

/** What the content script does with a message from the popup: the client call its route made, or null. */
async function taken(type: string, payload: unknown): Promise<unknown> {
  const seen: unknown[] = [];
  const fake: LmsClient = {
    flags: async (names) => (seen.push({ flags: names }), failed('http', 'recorded')),
    users: async (q) => (seen.push({ users: q }), failed('http', 'recorded')),
    lookups: async (limit) => (seen.push({ lookups: limit }), failed('http', 'recorded')),
    enroll: async (request) => (seen.push({ enroll: request }), failed('http', 'recorded')),
    enrollments: async (filter) => (seen.push({ enrollments: filter }), failed('http', 'recorded')),
    revoke: async (id) => (seen.push({ revoke: id }), failed('http', 'recorded')),
    customer: async (uuid) => (seen.push({ customer: uuid }), failed('http', 'recorded')),
    enrollCustomer: async (request) => (seen.push({ enrollCustomer: request }), failed('http', 'recorded')),
    customerEnrollments: async (state) => (seen.push({ customerEnrollments: state }), failed('http', 'recorded')),
    revokeCustomer: async (id) => (seen.push({ revokeCustomer: id }), failed('http', 'recorded')),
  };
  const answer = route({ tag: MESSAGE_TAG, type, payload }, backendRoutes, async () => fake);
  if (answer === undefined) return null;
  await answer;
  return seen[0] ?? null;
}

describe('backend routes: only known requests with the right types cross from the popup', () => {
  it('accepts the four requests', async () => {
    expect(await taken('backend/flags', {})).toEqual({ flags: undefined });
    expect(await taken('backend/flags', { names: [] })).toEqual({ flags: [] });
    const most = Array.from({ length: 200 }, (_, i) => `enterprise.${String(i).padStart(89, 'x')}`);
    expect(most[0]).toHaveLength(100);
    expect(await taken('backend/flags', { names: most })).toEqual({ flags: most });
    expect(await taken('backend/flags', { names: ['enterprise.a', 'é ü'], extra: 1 })).toEqual({
      flags: ['enterprise.a', 'é ü'],
    });
    expect(await taken('backend/revoke', { id: 3 })).toEqual({ revoke: 3 });
    expect(await taken('backend/enrollments', { flag: 'f', state: 'live' })).toEqual({
      enrollments: { flag: 'f', state: 'live' },
    });
    expect(
      await taken('backend/enroll', { flag: 'f', reason: 'r', durationSeconds: 60, user: 'bob', extra: true }),
    ).toEqual({ enroll: { flag: 'f', reason: 'r', durationSeconds: 60, user: 'bob' } });
  });
  it('refuses anything else', async () => {
    const cases: [string, unknown][] = [
      ['backend/flags', null],
      ['backend/flags', 'flags'],
      ['backend/delete-everything', {}],
      ['toString', {}],
      ['backend/revoke', { id: '3' }],
      ['backend/revoke', { id: -1 }],
      ['backend/revoke', { id: 1.5 }],
      ['backend/enrollments', { state: 'weird' }],
      ['backend/enrollments', { user: '' }],
      ['backend/enroll', { flag: 'f', reason: 'r', durationSeconds: '60' }],
      ['backend/enroll', { flag: '', reason: 'r', durationSeconds: 60 }],
      ['backend/enroll', { flag: 'f', reason: 'r', durationSeconds: 60, user: 5 }],
      ['backend/enroll', {}],
      ['backend/flags', { names: 'enterprise.a' }],
      ['backend/flags', { names: null }],
      ['backend/flags', { names: [''] }],
      ['backend/flags', { names: ['enterprise.a', 5] }],
      ['backend/flags', { names: ['x'.repeat(101)] }],
      ['backend/flags', { names: ['a,b'] }],
      ['backend/flags', { names: ['a\nb'] }],
      ['backend/flags', { names: Array.from({ length: 201 }, (_, i) => `f${i}`) }],
    ];
    for (const [type, payload] of cases)
      expect(await taken(type, payload), `${type} ${JSON.stringify(payload)}`).toBeNull();
  });
  it('a request on a page of no known environment answers "no portal"', async () => {
    const answer = await route(
      { tag: MESSAGE_TAG, type: 'backend/flags', payload: {} },
      backendRoutes,
      async () => null,
    );
    expect(answer).toEqual(failed('no-portal', ''));
  });
});

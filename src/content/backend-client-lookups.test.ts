// The requests that look at other users, as the content script sends them: query strings built from
// the operation alone, the answers checked, errors carried with the LMS's sentence.
import { describe, expect, it } from 'vitest';
import { flagJson, flagsJson, rand, subjectJson } from '../../test/lms-answers';
import type { FlagsResponse, UserRef } from '../core/backend-api';
import type { BackendAnswer } from '../core/backend-error';
import type { Lookup } from '../core/subject';
import { BackendClient, type FetchLike } from './backend-client';

const LMS = 'http://localhost:18000';
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function scripted(...answers: Response[]) {
  const urls: string[] = [];
  const fetchFn: FetchLike = async (url) => {
    urls.push(url);
    const next = answers.shift();
    if (!next) throw new Error('unexpected request ' + url);
    return next;
  };
  return { urls, fetchFn };
}

const data = <T>(r: BackendAnswer<unknown>): T => {
  expect(r.ok).toBe(true);
  return (r as { ok: true; data: T }).data;
};

describe('BackendClient: looking at other users', () => {
  it('GET flags/?names=&user=&from_url=, encoded, and the subject read', async () => {
    const user = `learner+${rand()}@example.com`;
    const { urls, fetchFn } = scripted(
      json(200, flagsJson([flagJson('enterprise.a', true)], { subject: subjectJson(user) })),
    );
    const r = await new BackendClient(LMS, fetchFn, () => false).flags(['enterprise.a', 'enterprise.b'], {
      user,
      fromUrl: 'http://localhost:8734/test-enterprise?x=1&y=2',
    });
    const url = new URL(urls[0]!);
    expect(url.pathname).toBe('/api/waffle-enrollments/v1/flags/');
    expect(url.searchParams.get('names')).toBe('enterprise.a,enterprise.b');
    expect(url.searchParams.get('user')).toBe(user);
    expect(url.searchParams.get('from_url')).toBe('http://localhost:8734/test-enterprise?x=1&y=2');
    expect(data<FlagsResponse>(r).subject?.username).toBe(user);
  });

  it('GET flags/?q= for a search, with truncated', async () => {
    const { urls, fetchFn } = scripted(json(200, flagsJson([], { truncated: true })));
    const r = await new BackendClient(LMS, fetchFn, () => false).flags(undefined, { q: 'path ways' });
    expect(urls[0]).toBe(`${LMS}/api/waffle-enrollments/v1/flags/?q=path+ways`);
    expect(data<FlagsResponse>(r).truncated).toBe(true);
  });

  it('GET users/?q= and GET lookups/?limit=', async () => {
    const { urls, fetchFn } = scripted(
      json(200, { results: [{ id: 8, username: 'learner2', email: 'learner2@example.com' }] }),
      json(200, {
        results: [
          { id: 1, at: '2026-11-26T10:00:00Z', subject: { id: 8, username: 'learner2', email: 'l@e' }, from_url: '' },
        ],
      }),
    );
    const client = new BackendClient(LMS, fetchFn, () => false);
    expect(data<UserRef[]>(await client.users('lea&r'))).toEqual([
      { id: 8, username: 'learner2', email: 'learner2@example.com' },
    ]);
    expect(data<Lookup[]>(await client.lookups(20))[0]?.subject.username).toBe('learner2');
    expect(urls).toEqual([
      `${LMS}/api/waffle-enrollments/v1/users/?q=lea%26r`,
      `${LMS}/api/waffle-enrollments/v1/lookups/?limit=20`,
    ]);
  });

  it("403 and 404 keep the LMS's sentence, and a 404 of ?user= is not read as a missing plugin", async () => {
    const { fetchFn } = scripted(
      json(403, { detail: 'You may not look at other users.' }),
      json(404, { detail: 'No user "nobody".' }),
    );
    const client = new BackendClient(LMS, fetchFn, () => false);
    const forbidden = await client.users('le');
    expect(forbidden).toMatchObject({
      ok: false,
      error: { kind: 'http', status: 403, detail: 'You may not look at other users.' },
    });
    const unknown = await client.flags([], { user: 'nobody' });
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'http', status: 404, detail: 'No user "nobody".' } });
  });
});

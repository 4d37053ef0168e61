import { expect, it } from 'vitest';
import { PRESETS } from './environment';
import { markdownReport } from './report';
import type { FlagRow } from './types';

const row = (key: string, on: boolean, flag: string | null): FlagRow => ({
  key,
  on,
  flag,
  source: 'bff-learner',
  url: 'https://x/',
  capturedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  values: [{ source: 'bff-learner', url: 'https://x/', capturedAt: Date.UTC(2026, 0, 2, 3, 4, 5), on }],
  differs: false,
  previous: undefined,
  changed: false,
});

it('reports env, user, enterprise, overrides and every flag as Markdown, escaping page text', () => {
  const text = markdownReport({
    pageUrl: 'https://enterprise.edx.org/acme',
    context: { environment: PRESETS[0]!, portal: 'learner' },
    identity: {
      status: 'ok',
      cookieName: 'edx-jwt-cookie-header-payload',
      identity: {
        username: 'qa|x',
        email: 'qa@example.com',
        name: 'QA',
        userId: 4,
        staff: true,
        superuser: false,
        roles: [{ role: 'enterprise_admin', context: '*' }],
        expiresAt: null,
      },
    },
    enterprise: { uuid: 'u-1', name: 'Acme <b>Corp</b>', slug: 'acme' },
    rows: [row('k_on', true, 'enterprise.k_on'), row('weird|key', false, null)],
    featureParams: ['new_ui'],
    now: new Date(Date.UTC(2026, 0, 2, 3, 5, 0)),
  });
  expect(text).toContain('**Environment:** Production (learner portal)');
  expect(text).toContain('**User:** qa\\|x <qa@example.com> (staff)');
  expect(text).toContain('**Roles:** enterprise\\_admin:\\*');
  expect(text).toContain('**Enterprise:** Acme \\<b\\>Corp\\</b\\> (acme, u-1)');
  expect(text).toContain('**Captured:** 2026-01-02T03:05:00.000Z');
  expect(text).toContain('new\\_ui');
  expect(text).toContain('| on | k\\_on | enterprise.k\\_on | bff-learner | 2026-01-02T03:04:05.000Z |');
  expect(text).toContain('| off | weird\\|key | (unknown key) |');
});

it('says when nobody is signed in and nothing was captured', () => {
  const text = markdownReport({
    pageUrl: 'http://localhost:8734/x',
    context: { environment: null, portal: null },
    identity: { status: 'missing' },
    enterprise: null,
    rows: [],
    featureParams: [],
    now: new Date(0),
  });
  expect(text).toContain('other host');
  expect(text).toContain('not signed in');
  expect(text).toContain('(no flags captured)');
});

it('a flag the sources disagree on lists each source with its value and time', () => {
  const at = (s: number) => Date.UTC(2026, 0, 2, 3, 4, s);
  const differs: FlagRow = {
    ...row('k', false, 'enterprise.k'),
    values: [
      { source: 'enterprise-learner', url: 'https://lms/', capturedAt: at(1), on: true },
      { source: 'bff-learner', url: 'https://bff/', capturedAt: at(2), on: false },
    ],
    differs: true,
  };
  const text = markdownReport({
    pageUrl: 'https://p/',
    context: { environment: null, portal: null },
    identity: null,
    enterprise: null,
    rows: [differs],
    featureParams: [],
    now: new Date(0),
  });
  expect(text).toContain(
    '**sources differ:** enterprise-learner said on at 2026-01-02T03:04:01.000Z; bff-learner said off at 2026-01-02T03:04:02.000Z',
  );
});

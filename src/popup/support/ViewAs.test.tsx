// @vitest-environment jsdom
// "View as user" against a scripted backend: who sees it, the suggestions (after 2 characters, after a
// pause, by keyboard), what is asked for and with what, the comparison, Match on me, Copy comparison,
// recent lookups, errors, and that nothing from the LMS is rendered as HTML.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  criteria,
  CUSTOMER_A,
  CUSTOMER_B,
  enrollmentJson,
  flagJson,
  flagsAnswer,
  NOW,
  rand,
  subjectJson,
  type Json,
} from '../../../test/lms-answers';
import type { EnrollRequest, Enrollment, FlagsQuery, FlagsResponse } from '../../core/backend-api';
import { parseEnrollment } from '../../core/backend-answers';
import type { BackendAnswer } from '../../core/backend-error';
import type { AskBackend } from '../enroll/useEnrollment';
import { SUGGEST_DELAY_MS } from './UserSearch';
import { ViewAs } from './ViewAs';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const LMS = 'http://localhost:18000';
const PAGE = 'http://localhost:8734/test-enterprise';

const fail = (status: number, detail: string): BackendAnswer<never> => ({
  ok: false,
  error: { kind: 'http', status, detail, fields: {}, lms: LMS },
});

interface Script {
  /** My flags (no `user`), per call: the last one repeats. */
  mine: FlagsResponse[];
  /** Their flags by username (or an error). */
  theirs?: Record<string, FlagsResponse | BackendAnswer<never>>;
  users?: (q: string) => BackendAnswer<unknown>;
  lookups?: BackendAnswer<unknown>;
  enroll?: (flag: string) => BackendAnswer<unknown>;
}

type Call =
  | ({ op: 'flags' } & FlagsQuery)
  | { op: 'users'; q: string }
  | { op: 'lookups'; limit?: number }
  | { op: 'enroll'; request: EnrollRequest };

/** A backend that answers by request, and records every request. */
function backend(script: Script) {
  const calls: Call[] = [];
  const answer = (call: Call): BackendAnswer<unknown> => {
    switch (call.op) {
      case 'flags': {
        if (call.user === undefined) {
          const next = script.mine.length > 1 ? script.mine.shift()! : script.mine[0]!;
          return { ok: true, data: next };
        }
        const theirs = script.theirs?.[call.user];
        if (!theirs) return fail(404, `No user "${call.user}".`);
        return 'ok' in theirs ? theirs : { ok: true, data: theirs };
      }
      case 'users':
        return script.users?.(call.q) ?? { ok: true, data: [] };
      case 'lookups':
        return script.lookups ?? { ok: true, data: [] };
      case 'enroll':
        return script.enroll?.(call.request.flag) ?? fail(500, 'unscripted');
    }
  };
  const ask = vi.fn(async (type: string, payload: Record<string, unknown>) => {
    const call = (
      type === 'backend/flags'
        ? { op: 'flags', ...payload }
        : type === 'backend/users'
          ? { op: 'users', ...payload }
          : type === 'backend/lookups'
            ? { op: 'lookups', ...payload }
            : null
    ) as Call | null;
    if (call === null) return fail(500, `unscripted ${type}`);
    calls.push(call);
    return answer(call);
  }) as unknown as AskBackend;
  const enroll = vi.fn(async (request: EnrollRequest) => {
    const call: Call = { op: 'enroll', request };
    calls.push(call);
    return answer(call) as BackendAnswer<Enrollment>;
  });
  return { api: { ask, enroll }, calls };
}

function mount(
  api: { ask: AskBackend; enroll: (r: EnrollRequest) => Promise<BackendAnswer<Enrollment>> },
  mine: FlagsResponse | null,
  names: string[] | null,
  extra: Partial<Json> = {},
) {
  const copy = vi.fn(async (_markdown: string) => undefined);
  const onEnrolled = vi.fn(async (_e: Enrollment[]) => undefined);
  render(
    <ViewAs
      ask={api.ask}
      enroll={api.enroll}
      mine={mine}
      names={names}
      pageUrl={PAGE}
      environment="Devstack · learner portal"
      now={() => NOW}
      copy={copy}
      onEnrolled={onEnrolled}
      {...extra}
    />,
  );
  return { copy, onEnrolled };
}

const rowOf = (flag: string) =>
  document.querySelector(`[data-testid="compare-row"][data-flag="${flag}"]`) as HTMLElement;

/** The page shows 4 flags: one listed only for learner2, one staff-only, one percent, one the same. */
function scenario() {
  const listed = `enterprise.listed_${rand()}`;
  const staff = `enterprise.staff_${rand()}`;
  const percent = `enterprise.percent_${rand()}`;
  const same = `enterprise.same_${rand()}`;
  const names = [listed, percent, same, staff];
  const me = subjectJson('support', { is_staff: true });
  const mineFlags = (listedOn: boolean) =>
    flagsAnswer(
      [
        flagJson(listed, listedOn, {
          criteria: criteria({ user_count: 1 }),
          ...(listedOn ? { my_enrollment: enrollmentJson(listed, 'support') } : {}),
        }),
        flagJson(staff, true, { criteria: criteria({ staff: true }) }),
        flagJson(percent, true, { criteria: criteria({ percent: 50 }) }),
        flagJson(same, true, { criteria: criteria({ everyone: true }) }),
      ],
      { subject: me },
    );
  const theirs = flagsAnswer(
    [
      flagJson(listed, true, {
        criteria: criteria({ user_count: 1 }),
        me: { listed: true, groups: [], customers: [] },
      }),
      flagJson(staff, false, { criteria: criteria({ staff: true }) }),
      flagJson(percent, null, { criteria: criteria({ percent: 50 }) }),
      flagJson(same, true, { criteria: criteria({ everyone: true }) }),
    ],
    {
      subject: subjectJson('learner2', {
        enterprise_customers: [
          { ...CUSTOMER_A, active: true },
          { ...CUSTOMER_B, active: false },
        ],
      }),
    },
  );
  return { listed, staff, percent, same, names, mineFlags, theirs };
}

async function typeUser(text: string) {
  const input = await screen.findByTestId('view-as-user');
  fireEvent.input(input, { target: { value: text } });
  return input;
}

describe('View as user', () => {
  it('is not offered without permissions.can_view_others, and asks nothing', () => {
    const { api } = backend({ mine: [] });
    mount(api, flagsAnswer([], { permissions: { can_view_others: false } }), []);
    expect(screen.queryByTestId('view-as-open')).toBeNull();
    cleanup();
    mount(api, null, []);
    expect(screen.queryByTestId('view-as-open')).toBeNull();
    expect(api.ask).not.toHaveBeenCalled();
  });

  it('suggests after 2 characters and a pause, by keyboard; looks the user up with the page flags, audited from this page', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const s = scenario();
    const { api, calls } = backend({
      mine: [s.mineFlags(false)],
      theirs: { learner2: s.theirs },
      users: (q) => ({
        ok: true,
        data: [
          { id: 7, username: 'learner', email: 'learner@example.com' },
          { id: 8, username: 'learner2', email: 'learner2@example.com' },
        ].filter((u) => u.username.startsWith(q)),
      }),
      lookups: {
        ok: true,
        data: [
          {
            id: 1,
            at: new Date(NOW).toISOString(),
            subject: { id: 7, username: 'learner', email: 'l@e' },
            fromUrl: PAGE,
          },
        ],
      },
    });
    mount(api, s.mineFlags(false), s.names);
    fireEvent.click(screen.getByTestId('view-as-open'));
    // Recent lookups are read from the LMS when the section opens.
    await waitFor(() => expect(screen.getAllByTestId('recent-lookup')).toHaveLength(1));

    // One character: nothing asked. Then quick typing: one request, for the last text.
    await typeUser('l');
    await typeUser('le');
    await typeUser('lea');
    const input = await typeUser('lear');
    await waitFor(() => expect(screen.getAllByTestId('user-suggestion')).toHaveLength(2));
    expect(calls.filter((c) => c.op === 'users')).toEqual([{ op: 'users', q: 'lear' }]);
    expect(input.getAttribute('aria-expanded')).toBe('true');

    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.getAttribute('aria-activedescendant')).toBe('view-as-suggestion-1');
    expect(screen.getAllByTestId('user-suggestion')[1]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(input, { key: 'Enter' });

    const result = await screen.findByTestId('view-as-result');
    expect(result.getAttribute('data-user')).toBe('learner2');
    // Their flags and mine, for the same names; theirs audited with the page it was asked from.
    const flagCalls = calls.filter((c) => c.op === 'flags');
    expect(flagCalls).toEqual(
      expect.arrayContaining([
        { op: 'flags', names: s.names, user: 'learner2', fromUrl: PAGE },
        { op: 'flags', names: s.names },
      ]),
    );
    expect(flagCalls).toHaveLength(2);
    // Choosing a suggestion puts it in the field, which is no reason to suggest again.
    await act(async () => {
      await vi.advanceTimersByTimeAsync(SUGGEST_DELAY_MS * 2);
    });
    expect(calls.filter((c) => c.op === 'users')).toHaveLength(1);

    // Who they are.
    const subject = screen.getByTestId('subject');
    expect(within(subject).getByTestId('subject-username').textContent).toBe('learner2');
    expect(within(subject).getByTestId('subject-email').textContent).toBe('learner2@example.com');
    expect(within(subject).getByTestId('subject-active').textContent).toBe('active');
    expect(within(subject).queryByTestId('subject-staff')).toBeNull();
    expect(
      within(subject)
        .getAllByTestId('subject-customer')
        .map((c) => c.getAttribute('data-slug')),
    ).toEqual(['test-enterprise', 'second-enterprise']);

    // Differences first, with the count, each with both values and both reasons.
    expect(screen.getByTestId('differ-count').textContent).toBe('4 compared · 3 differ');
    const rows = screen.getAllByTestId('compare-row');
    expect(rows.map((r) => [r.getAttribute('data-flag'), r.getAttribute('data-differs')])).toEqual([
      [s.listed, 'true'],
      [s.percent, 'true'],
      [s.staff, 'true'],
      [s.same, 'false'],
    ]);
    expect(within(rowOf(s.listed)).getByTestId('compare-theirs').textContent).toBe(
      'learner2 onOn for them: they are listed',
    );
    expect(within(rowOf(s.listed)).getByTestId('compare-mine').textContent).toBe(
      'you offOff for you. On for: 1 listed user',
    );
    expect(within(rowOf(s.percent)).getByTestId('compare-theirs').textContent).toContain(
      'Undecided for them: 50 % — undecided until their browser has a cookie',
    );
    expect(within(rowOf(s.staff)).getByTestId('compare-mine').textContent).toContain('On for you: staff');

    // The lookup is now in the recent ones: they are read again.
    await waitFor(() => expect(calls.filter((c) => c.op === 'lookups')).toHaveLength(2));
  });

  it('Match on me: one reason and one duration, an enrollment per matchable flag; the rest explained', async () => {
    const s = scenario();
    const created: Enrollment[] = [];
    const { api, calls } = backend({
      mine: [s.mineFlags(false), s.mineFlags(true)],
      theirs: { learner2: s.theirs },
      enroll: (flag) => {
        const e = parseEnrollment(enrollmentJson(flag, 'support'))!;
        created.push(e);
        return { ok: true, data: e };
      },
    });
    const { onEnrolled } = mount(api, s.mineFlags(false), s.names);
    fireEvent.click(screen.getByTestId('view-as-open'));
    fireEvent.submit(await screen.findByTestId('view-as-form'));
    expect(screen.getByTestId('view-as-problem').textContent).toBe('Type a username or email.');
    await typeUser('learner2');
    fireEvent.submit(screen.getByTestId('view-as-form'));
    await screen.findByTestId('view-as-result');

    expect(screen.getByTestId('match-summary').textContent).toContain(s.listed);
    const cannot = screen.getAllByTestId('match-cannot-item');
    expect(cannot.map((c) => c.getAttribute('data-flag')).sort()).toEqual([s.percent, s.staff].sort());
    expect(cannot.find((c) => c.getAttribute('data-flag') === s.staff)!.textContent).toMatch(
      /on for you because you are staff\. Use a non-staff test account/,
    );
    expect(cannot.find((c) => c.getAttribute('data-flag') === s.percent)!.textContent).toContain(`dwf_${s.percent}`);

    fireEvent.click(screen.getByTestId('match-open'));
    // The default duration is chosen; a reason is required before anything is sent.
    expect((screen.getByTestId('match-duration') as HTMLSelectElement).value).toBe(String(8 * 3600));
    fireEvent.click(screen.getByTestId('match-submit'));
    expect(screen.getByTestId('match-problem').textContent).toMatch(/audit log/);
    // The error is the reason field's description, for a screen reader.
    const describedBy = screen.getByTestId('match-reason').getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toMatch(/audit log/);
    expect(screen.getByTestId('match-reason').getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.op === 'enroll')).toBe(false);

    fireEvent.change(screen.getByTestId('match-duration'), { target: { value: String(86400) } });
    fireEvent.input(screen.getByTestId('match-reason'), { target: { value: '  SUP-42: reproduce  ' } });
    fireEvent.click(screen.getByTestId('match-submit'));
    await waitFor(() => expect(screen.getAllByTestId('match-result')).toHaveLength(1));
    expect(calls.filter((c) => c.op === 'enroll')).toEqual([
      { op: 'enroll', request: { flag: s.listed, durationSeconds: 86400, reason: 'SUP-42: reproduce' } },
    ]);
    expect(screen.getByTestId('match-result').getAttribute('data-ok')).toBe('true');
    expect(onEnrolled).toHaveBeenCalledWith(created);
    // My side is asked again (theirs is not: that would be another audited lookup), and now matches.
    await waitFor(() => expect(rowOf(s.listed).getAttribute('data-mine')).toBe('on'));
    expect(calls.filter((c) => c.op === 'flags' && c.user !== undefined)).toHaveLength(1);
    expect(within(rowOf(s.listed)).getByTestId('compare-mine').textContent).toMatch(/your enrollment \(2h 05m left\)/);
    expect(screen.getByTestId('differ-count').textContent).toBe('4 compared · 2 differ');
  });

  it('a failed enrollment says why, and nothing is reported as enrolled', async () => {
    const s = scenario();
    const { api } = backend({
      mine: [s.mineFlags(false)],
      theirs: { learner2: s.theirs },
      enroll: () => fail(403, 'enterprise.x is outside the enrollment policy.'),
    });
    const { onEnrolled } = mount(api, s.mineFlags(false), s.names);
    fireEvent.click(screen.getByTestId('view-as-open'));
    await typeUser('learner2');
    fireEvent.submit(screen.getByTestId('view-as-form'));
    fireEvent.click(await screen.findByTestId('match-open'));
    fireEvent.input(screen.getByTestId('match-reason'), { target: { value: 'SUP-1' } });
    fireEvent.click(screen.getByTestId('match-submit'));
    const result = await screen.findByTestId('match-result');
    expect(result.getAttribute('data-ok')).toBe('false');
    expect(result.textContent).toContain('Not allowed. The LMS says: “enterprise.x is outside the enrollment policy.”');
    expect(onEnrolled).not.toHaveBeenCalled();
  });

  it('Copy comparison puts Markdown with both users and the differing flags on the clipboard', async () => {
    const s = scenario();
    const { api } = backend({ mine: [s.mineFlags(false)], theirs: { learner2: s.theirs } });
    const { copy } = mount(api, s.mineFlags(false), s.names);
    fireEvent.click(screen.getByTestId('view-as-open'));
    await typeUser('learner2');
    fireEvent.submit(screen.getByTestId('view-as-form'));
    fireEvent.click(await screen.findByTestId('copy-comparison'));
    await waitFor(() => expect(copy).toHaveBeenCalledTimes(1));
    const md = copy.mock.calls[0]![0];
    expect(md).toContain('- **User:** learner2');
    expect(md).toContain('- **Me:** support');
    expect(md).toContain('3 differ');
    expect(md).toContain('| on | they are listed | off |');
    expect(md).not.toContain(s.same.replace(/_/g, '\\_'));
    expect(screen.getByTestId('copy-comparison-status').textContent).toMatch(/^Copied/);
  });

  it('other flags by a name search (?q=), for both sides, with the truncation said', async () => {
    const s = scenario();
    const found = `enterprise.found_${rand()}`;
    const { api, calls } = backend({
      mine: [s.mineFlags(false), flagsAnswer([flagJson(found, false)], { truncated: true })],
      theirs: { learner2: s.theirs },
    });
    mount(api, s.mineFlags(false), s.names);
    fireEvent.click(screen.getByTestId('view-as-open'));
    await typeUser('learner2');
    fireEvent.submit(screen.getByTestId('view-as-form'));
    await screen.findByTestId('view-as-result');
    // Only on Enter (each search of their flags is an audited lookup): an empty search is refused here.
    fireEvent.submit(screen.getByTestId('compare-search'));
    expect(screen.getByTestId('compare-search-problem').textContent).toMatch(/1 to 100 characters/);
    fireEvent.input(screen.getByTestId('compare-search-input'), { target: { value: ' found ' } });
    fireEvent.submit(screen.getByTestId('compare-search'));
    await waitFor(() =>
      expect(calls.filter((c) => c.op === 'flags' && c.q !== undefined)).toEqual([
        { op: 'flags', q: 'found', user: 'learner2', fromUrl: PAGE },
        { op: 'flags', q: 'found' },
      ]),
    );
    await screen.findByText('Flags containing “found”');
    expect(screen.getByTestId('compare-page')).toBeTruthy();
  });

  it('errors: an unknown user (404), not allowed (403), no suggestions (403)', async () => {
    const s = scenario();
    const { api } = backend({
      mine: [s.mineFlags(false)],
      theirs: { support_readonly: fail(403, 'You may not look at other users.') },
      users: () => fail(403, 'You may not look at other users.'),
      lookups: fail(403, 'You may not look at other users.'),
    });
    mount(api, s.mineFlags(false), s.names);
    fireEvent.click(screen.getByTestId('view-as-open'));
    await waitFor(() => expect(screen.getByTestId('recent-lookups-error').textContent).toMatch(/^Not allowed/));
    await typeUser('nobody');
    await waitFor(() => expect(screen.getByTestId('suggestions-error').textContent).toMatch(/Not allowed/));
    fireEvent.submit(screen.getByTestId('view-as-form'));
    await waitFor(() =>
      expect(screen.getByTestId('view-as-error').textContent).toBe('Not found. The LMS says: “No user "nobody".”'),
    );
    await typeUser('support_readonly');
    fireEvent.submit(screen.getByTestId('view-as-form'));
    await waitFor(() => expect(screen.getByTestId('view-as-error').textContent).toMatch(/^Not allowed\./));
    expect(screen.queryByTestId('view-as-result')).toBeNull();
  });

  it('Escape closes the suggestions; a click picks one; Close forgets the lookup', async () => {
    const s = scenario();
    const { api } = backend({
      mine: [s.mineFlags(false)],
      theirs: { learner2: s.theirs },
      users: () => ({ ok: true, data: [{ id: 8, username: 'learner2', email: 'learner2@example.com' }] }),
    });
    mount(api, s.mineFlags(false), s.names);
    fireEvent.click(screen.getByTestId('view-as-open'));
    const input = await typeUser('learner');
    await waitFor(() => expect(screen.getAllByTestId('user-suggestion')).toHaveLength(1));
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.getByTestId('user-suggestions').hidden).toBe(true);
    fireEvent.input(input, { target: { value: 'learner2' } });
    await waitFor(() => expect(screen.getByTestId('user-suggestions').hidden).toBe(false));
    fireEvent.mouseDown(screen.getByTestId('user-suggestion'));
    await screen.findByTestId('view-as-result');
    fireEvent.click(screen.getByTestId('view-as-close'));
    expect(screen.queryByTestId('view-as-result')).toBeNull();
    fireEvent.click(screen.getByTestId('view-as-open'));
    expect(screen.queryByTestId('view-as-result')).toBeNull();
  });

  it('renders what the LMS says as text, never HTML', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const flag = `enterprise.${rand()}`;
    const { api } = backend({
      mine: [flagsAnswer([flagJson(flag, false)])],
      theirs: {
        learner2: flagsAnswer(
          [
            flagJson(flag, true, {
              criteria: criteria({ groups: [evil] }),
              me: { listed: false, groups: [evil], customers: [] },
            }),
          ],
          {
            subject: subjectJson(evil, {
              email: evil,
              enterprise_customers: [{ uuid: 'u', name: evil, slug: evil, active: true }],
            }),
          },
        ),
      },
      users: () => ({ ok: true, data: [{ id: 1, username: evil, email: evil }] }),
    });
    mount(api, flagsAnswer([flagJson(flag, false)]), [flag]);
    fireEvent.click(screen.getByTestId('view-as-open'));
    await typeUser('learner2');
    await waitFor(() => expect(screen.getAllByTestId('user-suggestion')).toHaveLength(1));
    fireEvent.submit(screen.getByTestId('view-as-form'));
    await screen.findByTestId('view-as-result');
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByTestId('subject-username').textContent).toBe(evil);
    expect(within(rowOf(flag)).getByTestId('compare-theirs').textContent).toContain(`their groups: ${evil}`);
  });
});

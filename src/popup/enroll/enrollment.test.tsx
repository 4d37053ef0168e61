// @vitest-environment jsdom
// The enrollment controls in the popup, against a scripted backend: what each answer shows, what is
// sent, and that nothing from the backend or the page is rendered as HTML.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Enrollment, FlagInfo, FlagsResponse } from '../../core/backend-api';
import type { BackendAnswer, BackendError } from '../../core/backend-error';
import type { BackendRequests, BackendRequestType } from '../../core/messages';
import type { FlagRow, TabState } from '../../core/types';
import type { Expectation } from '../../core/verify';
import { EnrollmentPanel } from './EnrollmentPanel';
import { FlagEnrollment } from './FlagEnrollment';
import { shownFlagNames, useEnrollment, type AskBackend, type ExpectationStore } from './useEnrollment';
import { enrollmentInfo, flagInfo } from '../../../test/lms-answers';
import { learnerTab } from '../../../test/popup-data';
import { randomToken } from '../../../test/random';

afterEach(cleanup);

const LMS = 'http://localhost:18000';
const NOW = Date.UTC(2026, 10, 26, 10, 0, 0);

function flag(name: string, over: Partial<FlagInfo> = {}): FlagInfo {
  return { ...flagInfo(name), ...over };
}

function enrollment(flagName: string, over: Partial<Enrollment> = {}): Enrollment {
  return { ...enrollmentInfo(flagName, 'staff', { reason: 'QA' }), ...over };
}

function flagsResponse(flags: FlagInfo[], perms = { canEnrollSelf: true, canEnrollOthers: false }): FlagsResponse {
  return {
    user: { id: 4, username: 'staff', email: 'staff@example.com' },
    permissions: perms,
    policy: {
      maxDurationSeconds: 7 * 86400,
      defaultDurationSeconds: 8 * 3600,
      maxReasonLength: 500,
      patterns: ['enterprise.*'],
    },
    now: new Date(NOW).toISOString(),
    flags,
  };
}

const httpError = (status: number, detail: string, fields: Record<string, string> = {}): BackendAnswer<never> => ({
  ok: false,
  error: { kind: 'http', status, detail, fields, lms: LMS },
});

type Queues = { [K in BackendRequestType]: BackendAnswer<BackendRequests[K]['data']>[] };
interface Script {
  flags?: Queues['backend/flags'];
  enroll?: Queues['backend/enroll'];
  enrollments?: Queues['backend/enrollments'];
  revoke?: Queues['backend/revoke'];
}

/** A backend that answers each request with the next scripted answer for it, and records requests. */
function backend(script: Script) {
  const calls: { type: BackendRequestType; payload: Record<string, unknown> }[] = [];
  const queues: Queues = {
    'backend/flags': script.flags ?? [],
    'backend/enroll': script.enroll ?? [],
    // Unscripted, "my enrollments" is an empty list.
    'backend/enrollments': script.enrollments ?? [{ ok: true, data: [] }],
    'backend/revoke': script.revoke ?? [],
    'backend/users': [],
    'backend/lookups': [],
    'backend/customer': [],
    'backend/enrollCustomer': [],
    'backend/customerEnrollments': [],
    'backend/revokeCustomer': [],
  };
  const ask: AskBackend = async (type, payload) => {
    calls.push({ type, payload: { ...payload } });
    const queue = queues[type];
    if (queue.length === 0) return httpError(500, 'unscripted');
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  };
  return { ask, calls };
}

function memoryStore(): ExpectationStore & { saved: Expectation[] } {
  const saved: Expectation[] = [];
  return {
    saved,
    load: async () => [...saved],
    save: async (e) => {
      saved.push(e);
      return [...saved];
    },
  };
}

const row = (key: string, name: string | null, on = false): FlagRow => ({
  key,
  flag: name,
  on,
  source: 'enterprise-learner',
  url: `${LMS}/x`,
  capturedAt: NOW,
  values: [{ source: 'enterprise-learner', url: `${LMS}/x`, capturedAt: NOW, on }],
  differs: false,
  previous: undefined,
  changed: false,
});

function Harness(props: {
  ask: AskBackend;
  store: ExpectationStore;
  rows: FlagRow[];
  state?: TabState | null;
  portal?: boolean;
  reload?: () => Promise<void>;
}) {
  const e = useEnrollment({
    ask: props.ask,
    store: props.store,
    portal: props.portal ?? true,
    lms: LMS,
    state: props.state ?? null,
    reload: props.reload ?? (async () => undefined),
    now: () => NOW,
  });
  return (
    <div>
      {props.rows.map((r) => (
        <div key={r.key} data-testid="flag-row" data-key={r.key}>
          <FlagEnrollment enrollment={e} row={r} />
        </div>
      ))}
      <EnrollmentPanel enrollment={e} />
    </div>
  );
}

/** A tab whose current load captured these keys (flag: the Waffle name a source gave, or null). */
const tabState = (flags: { key: string; flag: string | null; on?: boolean }[]): TabState =>
  learnerTab(
    flags.map((f) => ({ key: f.key, flag: f.flag, on: f.on ?? false })),
    { at: NOW },
  );

const rowEl = (key: string) => document.querySelector(`[data-testid="flag-row"][data-key="${key}"]`) as HTMLElement;

describe('enrollment controls', () => {
  it('staff: says why a flag is off, enrolls with the default duration and a reason, then asks for a reload', async () => {
    const name = `enterprise.f_${randomToken()}`;
    const key = name.slice('enterprise.'.length);
    const created = enrollment(name);
    const { ask, calls } = backend({
      flags: [
        { ok: true, data: flagsResponse([flag(name, { criteria: { ...flag(name).criteria, superusers: true } })]) },
      ],
      enroll: [{ ok: true, data: created }],
    });
    const store = memoryStore();
    const reload = vi.fn(async () => undefined);
    render(<Harness ask={ask} store={store} rows={[row(key, name)]} reload={reload} />);
    const r = await waitFor(() => rowEl(key));
    await waitFor(() => expect(within(r).getByTestId('why').textContent).toBe('Off for you. On for: superusers'));
    fireEvent.click(within(r).getByTestId('enroll-open'));
    // The default duration is preselected; a reason is required before anything is sent.
    expect((within(r).getByTestId('enroll-duration') as HTMLSelectElement).value).toBe(String(8 * 3600));
    fireEvent.click(within(r).getByTestId('enroll-submit'));
    await waitFor(() => expect(within(r).getByTestId('error-reason').textContent).toMatch(/audit log/));
    expect(calls.filter((c) => c.type === 'backend/enroll')).toHaveLength(0);
    const reason = `QA-${randomToken()}`;
    fireEvent.input(within(r).getByTestId('enroll-reason'), { target: { value: reason } });
    fireEvent.click(within(r).getByTestId('enroll-submit'));
    await waitFor(() => expect(store.saved).toHaveLength(1));
    expect(calls.find((c) => c.type === 'backend/enroll')).toEqual({
      type: 'backend/enroll',
      payload: { flag: name, durationSeconds: 8 * 3600, reason },
    });
    expect(store.saved[0]).toMatchObject({ flag: name, on: true, action: 'enrolled' });
    const verify = await waitFor(() => within(rowEl(key)).getByTestId('verify'));
    expect(verify.getAttribute('data-verdict')).toBe('reload');
    fireEvent.click(within(rowEl(key)).getByTestId('reload-to-verify'));
    expect(reload).toHaveBeenCalled();
  });

  it('"Reload now" appears only once the row shows the live enrollment and the form is gone', async () => {
    const name = `enterprise.f_${randomToken()}`;
    const key = name.slice('enterprise.'.length);
    const created = enrollment(name);
    const { ask, calls } = backend({
      flags: [
        { ok: true, data: flagsResponse([flag(name)]) },
        { ok: true, data: flagsResponse([flag(name, { activeForMe: true, myEnrollment: created })]) },
      ],
      enroll: [{ ok: true, data: created }],
    });
    const store = memoryStore();
    // What the row showed when the expectation (and with it "Reload now") was recorded.
    const seen: { live: boolean; form: boolean }[] = [];
    const save = store.save;
    store.save = async (e) => {
      const el = rowEl(key);
      seen.push({
        live: !!within(el).queryByTestId('enrollment-live'),
        form: !!within(el).queryByTestId('enroll-reason'),
      });
      return save(e);
    };
    render(<Harness ask={ask} store={store} rows={[row(key, name)]} reload={async () => undefined} />);
    const r = await waitFor(() => rowEl(key));
    await waitFor(() => within(r).getByTestId('enroll-open'));
    fireEvent.click(within(r).getByTestId('enroll-open'));
    fireEvent.input(within(r).getByTestId('enroll-reason'), { target: { value: `QA-${randomToken()}` } });
    fireEvent.click(within(r).getByTestId('enroll-submit'));
    await waitFor(() => within(rowEl(key)).getByTestId('reload-to-verify'));
    expect(seen).toEqual([{ live: true, form: false }]);
    expect(calls.filter((c) => c.type === 'backend/flags')).toHaveLength(2);
  });

  it('a live enrollment shows its time left and can be revoked', async () => {
    const name = `enterprise.live_${randomToken()}`;
    const live = enrollment(name);
    const { ask, calls } = backend({
      flags: [
        { ok: true, data: flagsResponse([flag(name, { activeForMe: true, myEnrollment: live })]) },
        { ok: true, data: flagsResponse([flag(name)]) },
      ],
      revoke: [{ ok: true, data: { ...live, state: 'ended', endReason: 'revoked' } }],
    });
    const store = memoryStore();
    render(<Harness ask={ask} store={store} rows={[row('live', name, true)]} />);
    const r = await waitFor(() => rowEl('live'));
    await waitFor(() => expect(within(r).getByTestId('time-left').textContent).toBe('2h 05m'));
    expect(within(r).getByTestId('why').textContent).toBe('On for you: your enrollment (2h 05m left)');
    expect(within(r).queryByTestId('enroll-open')).toBeNull();
    fireEvent.click(within(r).getByTestId('revoke'));
    await waitFor(() => expect(store.saved).toHaveLength(1));
    expect(calls).toContainEqual({ type: 'backend/revoke', payload: { id: live.id } });
    // After the revoke, what the portal should receive is what waffle now answers: off.
    expect(store.saved[0]).toMatchObject({ flag: name, on: false, action: 'revoked' });
  });

  it('flags outside the policy say why they cannot be enrolled; flags on for you offer nothing', async () => {
    const out = `lms.${randomToken()}`;
    const on = `enterprise.on_${randomToken()}`;
    const { ask } = backend({
      flags: [
        {
          ok: true,
          data: flagsResponse([
            flag(out, { enrollable: false, notEnrollableReason: `'${out}' is outside the enrollment policy` }),
            flag(on, { activeForMe: true, criteria: { ...flag(on).criteria, staff: true } }),
          ]),
        },
      ],
    });
    render(<Harness ask={ask} store={memoryStore()} rows={[row('out', out), row('on', on, true)]} />);
    await waitFor(() =>
      expect(within(rowEl('out')).getByTestId('not-enrollable').textContent).toMatch(/outside the enrollment policy/),
    );
    expect(within(rowEl('on')).getByTestId('why').textContent).toBe('On for you: staff');
    expect(within(rowEl('on')).queryByTestId('enroll-open')).toBeNull();
  });

  it('learners (403) get a read-only note and no controls at all', async () => {
    const detail = `Waffle enrollments are for LMS staff ${randomToken()}`;
    const { ask } = backend({ flags: [httpError(403, detail)] });
    render(<Harness ask={ask} store={memoryStore()} rows={[row('k', 'enterprise.k')]} />);
    await waitFor(() => expect(screen.getByTestId('read-only').textContent).toBe(`Read-only: ${detail}`));
    expect(screen.queryByTestId('enroll-open')).toBeNull();
    expect(screen.queryByTestId('enroll-other')).toBeNull();
    expect(screen.queryByTestId('backend-retry')).toBeNull();
  });

  it('401 links to the LMS sign-in; other failures say what happened and offer a retry', async () => {
    const { ask } = backend({ flags: [httpError(401, 'Sign in')] });
    render(<Harness ask={ask} store={memoryStore()} rows={[]} />);
    await waitFor(() => expect(screen.getByTestId('sign-in').getAttribute('href')).toBe(`${LMS}/login`));
    expect(screen.getByTestId('backend-error').textContent).toMatch(/not signed in to http:\/\/localhost:18000/);
    cleanup();
    const missing: BackendError = { kind: 'not-installed', status: 404, detail: '', fields: {}, lms: LMS };
    const second = backend({
      flags: [
        { ok: false, error: missing },
        { ok: true, data: flagsResponse([]) },
      ],
    });
    render(<Harness ask={second.ask} store={memoryStore()} rows={[]} />);
    await waitFor(() => expect(screen.getByTestId('backend-error').textContent).toMatch(/plugin is not installed/));
    fireEvent.click(screen.getByTestId('backend-retry'));
    await waitFor(() => expect(screen.getByTestId('my-enrollments-empty')).toBeTruthy());
  });

  it('asks nothing when the tab is not a portal', async () => {
    const { ask, calls } = backend({});
    render(<Harness ask={ask} store={memoryStore()} rows={[]} portal={false} />);
    await Promise.resolve();
    expect(calls).toEqual([]);
    expect(document.body.textContent).toBe('');
  });

  it('support: enroll another user; 400 messages land on their fields; 409 says conflict', async () => {
    const name = `enterprise.o_${randomToken()}`;
    const { ask, calls } = backend({
      flags: [{ ok: true, data: flagsResponse([flag(name)], { canEnrollSelf: true, canEnrollOthers: true }) }],
      enroll: [
        httpError(400, 'Invalid input.', {
          duration: 'Must be at most 604800 seconds',
          user: 'Must be at most 254 characters',
        }),
        httpError(409, 'learner2 is already enrolled'),
        { ok: true, data: enrollment(name, { user: { id: 9, username: 'learner2', email: 'l2@example.com' } }) },
      ],
    });
    render(<Harness ask={ask} store={memoryStore()} rows={[]} />);
    const form = await waitFor(() => screen.getByTestId('enroll-other-form'));
    fireEvent.click(within(form).getByTestId('enroll-other-submit'));
    await waitFor(() => expect(within(form).getByTestId('error-user').textContent).toMatch(/username or email/));
    fireEvent.input(within(form).getByTestId('enroll-user'), { target: { value: 'learner2' } });
    fireEvent.input(within(form).getByTestId('enroll-reason'), { target: { value: 'SUP-9' } });
    fireEvent.change(within(form).getByTestId('enroll-duration'), { target: { value: 'custom' } });
    fireEvent.input(within(form).getByTestId('enroll-minutes'), { target: { value: '99999' } });
    fireEvent.click(within(form).getByTestId('enroll-other-submit'));
    await waitFor(() =>
      expect(within(form).getByTestId('error-duration').textContent).toBe('Must be at most 604800 seconds'),
    );
    expect(within(form).getByTestId('error-user').textContent).toBe('Must be at most 254 characters');
    expect(calls.find((c) => c.type === 'backend/enroll')).toEqual({
      type: 'backend/enroll',
      payload: { flag: name, durationSeconds: 99999 * 60, reason: 'SUP-9', user: 'learner2' },
    });
    fireEvent.click(within(form).getByTestId('enroll-other-submit'));
    await waitFor(() =>
      expect(within(form).getByTestId('enroll-error').textContent).toBe(
        'Conflict. The LMS says: “learner2 is already enrolled”',
      ),
    );
    fireEvent.click(within(form).getByTestId('enroll-other-submit'));
    await waitFor(() =>
      expect(within(form).getByTestId('enroll-done').textContent).toMatch(/^Enrolled learner2 in enterprise\.o_/),
    );
  });

  it('renders backend and page strings as text, never HTML', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const name = `enterprise.${evil}`;
    const { ask } = backend({
      flags: [
        {
          ok: true,
          data: flagsResponse([
            flag(name, {
              enrollable: false,
              notEnrollableReason: evil,
              criteria: { ...flag(name).criteria, groups: [evil] },
            }),
          ]),
        },
      ],
      enrollments: [{ ok: true, data: [enrollment(name, { reason: evil, state: 'ended', endReason: 'revoked' })] }],
    });
    render(<Harness ask={ask} store={memoryStore()} rows={[row('evil', name)]} />);
    await waitFor(() => expect(screen.getByTestId('my-enrollments').textContent).toContain(evil));
    expect(within(rowEl('evil')).getByTestId('not-enrollable').textContent).toContain(evil);
    expect(within(rowEl('evil')).getByTestId('why').textContent).toContain(evil);
    expect(document.querySelector('img')).toBeNull();
  });

  it('asks the LMS only for the flags the popup shows (?names=), by their Waffle names', async () => {
    const own = `enterprise.own_${randomToken()}`;
    const shown = [
      { key: 'enterprise_learner_bff_enabled', flag: null }, // known key: the table names its flag
      { key: `k_${randomToken()}`, flag: own }, // the source named the flag
      { key: `mystery_${randomToken()}`, flag: null }, // unknown key: no flag to ask about
    ];
    const { ask, calls } = backend({
      flags: [{ ok: true, data: flagsResponse([flag('enterprise.learner_bff_enabled'), flag(own)]) }],
    });
    const rows = shown.map((f) => row(f.key, f.flag));
    render(<Harness ask={ask} store={memoryStore()} rows={rows} state={tabState(shown)} />);
    await waitFor(() => expect(within(rowEl(shown[1]!.key)).getByTestId('enroll-open')).toBeTruthy());
    expect(calls.filter((c) => c.type === 'backend/flags')).toEqual([
      { type: 'backend/flags', payload: { names: ['enterprise.learner_bff_enabled', own].sort() } },
    ]);
    expect(within(rowEl('enterprise_learner_bff_enabled')).getByTestId('enroll-open')).toBeTruthy();
  });

  it('more than 200 names on the page: the whole list is asked for instead', () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ key: `k${i}`, flag: `enterprise.f${i}` }));
    expect(shownFlagNames(tabState(many))).toBeNull();
    expect(shownFlagNames(tabState(many.slice(0, 200)))).toHaveLength(200);
    expect(shownFlagNames(null)).toEqual([]);
    // A name that ?names= cannot carry is left out (its row simply gets no controls).
    expect(
      shownFlagNames(
        tabState([
          { key: 'a', flag: 'x,y' },
          { key: 'b', flag: 'enterprise.b' },
        ]),
      ),
    ).toEqual(['enterprise.b']);
  });

  it('"Enroll another user" asks for every flag only when opened, and offers them all', async () => {
    const shownName = `enterprise.shown_${randomToken()}`;
    const otherName = `enterprise.other_${randomToken()}`;
    const perms = { canEnrollSelf: true, canEnrollOthers: true };
    const { ask, calls } = backend({
      flags: [
        { ok: true, data: flagsResponse([flag(shownName)], perms) },
        {
          ok: true,
          data: flagsResponse(
            [flag(otherName), flag(shownName), flag(`lms.${randomToken()}`, { enrollable: false })],
            perms,
          ),
        },
      ],
      enroll: [{ ok: true, data: enrollment(otherName, { user: { id: 9, username: 'learner', email: 'l@e' } }) }],
    });
    const shown = [{ key: 'shown', flag: shownName }];
    render(<Harness ask={ask} store={memoryStore()} rows={[row('shown', shownName)]} state={tabState(shown)} />);
    const form = await waitFor(() => screen.getByTestId('enroll-other-form'));
    const options = () =>
      [...(within(form).getByTestId('enroll-flag') as HTMLSelectElement).options].map((o) => o.value);
    // Closed: the page's own flags are offered, and nothing more was asked.
    expect(options()).toEqual([shownName]);
    expect(calls.filter((c) => c.type === 'backend/flags')).toEqual([
      { type: 'backend/flags', payload: { names: [shownName] } },
    ]);
    const details = screen.getByTestId('enroll-other') as HTMLDetailsElement;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    await waitFor(() => expect(options()).toEqual([otherName, shownName].sort()));
    expect(calls.filter((c) => c.type === 'backend/flags')).toEqual([
      { type: 'backend/flags', payload: { names: [shownName] } },
      { type: 'backend/flags', payload: {} },
    ]);
    // Opening it again asks nothing more.
    details.open = false;
    fireEvent(details, new Event('toggle'));
    details.open = true;
    fireEvent(details, new Event('toggle'));
    fireEvent.input(within(form).getByTestId('enroll-user'), { target: { value: 'learner' } });
    fireEvent.change(within(form).getByTestId('enroll-flag'), { target: { value: otherName } });
    fireEvent.input(within(form).getByTestId('enroll-reason'), { target: { value: 'SUP-1' } });
    fireEvent.click(within(form).getByTestId('enroll-other-submit'));
    await waitFor(() => expect(within(form).getByTestId('enroll-done').textContent).toContain(otherName));
    expect(calls.find((c) => c.type === 'backend/enroll')).toMatchObject({
      payload: { flag: otherName, user: 'learner' },
    });
    expect(calls.filter((c) => c.type === 'backend/flags' && !('names' in c.payload))).toHaveLength(1);
  });
});

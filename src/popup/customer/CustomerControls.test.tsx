// @vitest-environment jsdom
// Customer enrollments in the popup, against a scripted backend: who sees them, what is sent, the
// confirmation naming the learners, the live enrollment with its countdown and Revoke, and that what
// the backend says is rendered as text.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlagInfo, FlagsResponse } from '../../core/backend-api';
import type { BackendAnswer } from '../../core/backend-error';
import type { CustomerEnrollment, EnterpriseCustomerInfo } from '../../core/customers';
import type { BackendRequestType } from '../../core/messages';
import type { TabState } from '../../core/types';
import { flagInfo } from '../../../test/lms-answers';
import { learnerTab } from '../../../test/popup-data';
import { EnrollmentPanel } from '../enroll/EnrollmentPanel';
import { FlagEnrollment } from '../enroll/FlagEnrollment';
import { useEnrollment, type AskBackend } from '../enroll/useEnrollment';

afterEach(cleanup);

const LMS = 'http://localhost:18000';
const NOW = Date.UTC(2026, 10, 26, 10, 0, 0);
const FLAG = 'enterprise.ai_pathways_operator_enabled';
const TEST_ENTERPRISE = {
  uuid: '8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60',
  name: 'Test Enterprise',
  slug: 'test-enterprise',
};

function flag(over: Partial<FlagInfo> = {}): FlagInfo {
  return { ...flagInfo(FLAG), ...over };
}

function flags(list: FlagInfo[], canEnrollCustomers = true, customerEnrollments = true): FlagsResponse {
  return {
    user: { id: 4, username: 'staff', email: 'staff@example.com' },
    permissions: { canEnrollSelf: true, canEnrollOthers: false, canEnrollCustomers },
    features: { customerEnrollments },
    policy: { maxDurationSeconds: 7 * 86400, defaultDurationSeconds: 8 * 3600, maxReasonLength: 500, patterns: [] },
    now: new Date(NOW).toISOString(),
    flags: list,
  };
}

const customerInfo: EnterpriseCustomerInfo = {
  ...TEST_ENTERPRISE,
  learnerCount: 2,
  maxDurationSeconds: 3 * 86400,
  defaultDurationSeconds: 8 * 3600,
};

function customerEnrollment(over: Partial<CustomerEnrollment> = {}): CustomerEnrollment {
  return {
    id: 31,
    flag: FLAG,
    customer: TEST_ENTERPRISE,
    learnerCount: 2,
    createdBy: 'staff',
    reason: 'PILOT-1',
    createdAt: new Date(NOW).toISOString(),
    expiresAt: new Date(NOW + 2 * 3600_000 + 5 * 60_000).toISOString(),
    endedAt: null,
    endReason: null,
    state: 'live',
    ...over,
  };
}

const ok = (data: unknown): BackendAnswer<unknown> => ({ ok: true, data });
type Op = 'flags' | 'customer' | 'customerEnrollments' | 'enrollCustomer' | 'revokeCustomer';

/** Answers each request with the next scripted answer (the last one repeats), and records them. */
function backend(script: Partial<Record<Op, BackendAnswer<unknown>[]>>) {
  const calls: { op: string; [field: string]: unknown }[] = [];
  const ask = (async (type: BackendRequestType, payload: Record<string, unknown>) => {
    const op = type.slice('backend/'.length);
    calls.push(op === 'enrollCustomer' ? { op, request: { ...payload } } : { op, ...payload });
    const queue = script[op as Op];
    if (!queue || queue.length === 0) return ['enrollments', 'customerEnrollments'].includes(op) ? ok([]) : ok(null);
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  }) as unknown as AskBackend;
  return { api: ask, calls };
}

/** A learner-portal tab of Test Enterprise whose load showed FLAG (off). */
const tab = (enterprise: typeof TEST_ENTERPRISE | null = TEST_ENTERPRISE): TabState =>
  learnerTab([{ key: 'enterprise_ai_pathways_operator_enabled', flag: FLAG, on: false }], { at: NOW, enterprise });

function Harness({ api, state }: { api: AskBackend; state: TabState }) {
  const e = useEnrollment({
    ask: api,
    store: { load: async () => [], save: async () => [] },
    portal: true,
    lms: LMS,
    state,
    reload: async () => undefined,
    now: () => NOW,
  });
  const row = { key: 'enterprise_ai_pathways_operator_enabled', flag: FLAG, on: false } as const;
  return (
    <div>
      <div data-testid="flag-row">
        <FlagEnrollment
          enrollment={e}
          row={{
            ...row,
            source: 'enterprise-learner',
            url: LMS,
            capturedAt: NOW,
            values: [{ source: 'enterprise-learner', url: LMS, capturedAt: NOW, on: row.on }],
            differs: false,
            previous: undefined,
            changed: false,
          }}
        />
      </div>
      <EnrollmentPanel enrollment={e} />
    </div>
  );
}

describe('Enable for a customer', () => {
  it('asks for a reason, confirms with the number of learners, enrolls, then shows the countdown and revokes', async () => {
    const live = customerEnrollment();
    const { api, calls } = backend({
      flags: [ok(flags([flag()]))],
      customer: [ok(customerInfo)],
      customerEnrollments: [ok([]), ok([live]), ok([{ ...live, state: 'ended', endReason: 'revoked' }])],
      enrollCustomer: [ok(live)],
      revokeCustomer: [ok({ ...live, state: 'ended' })],
    });
    render(<Harness api={api} state={tab()} />);
    const open = await screen.findByTestId('customer-open');
    expect(open.textContent).toBe('Enable for Test Enterprise (2 learners)…');
    expect(calls).toContainEqual({ op: 'customer', customer: TEST_ENTERPRISE.uuid });
    fireEvent.click(open);

    fireEvent.click(screen.getByTestId('customer-continue'));
    expect(screen.getByTestId('customer-reason-error').textContent).toContain('audit log');
    // The error is the reason field's description, for a screen reader.
    const reasonBox = screen.getByTestId('customer-reason');
    const describedBy = reasonBox.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toContain('audit log');
    expect(calls.some((c) => c.op === 'enrollCustomer')).toBe(false);

    fireEvent.input(screen.getByTestId('customer-reason'), { target: { value: ' PILOT-1 ' } });
    fireEvent.click(screen.getByTestId('customer-continue'));
    const confirm = screen.getByTestId('customer-confirm');
    expect(confirm.textContent).toContain(`This turns ${FLAG} on for 2 learners of Test Enterprise`);
    expect(confirm.textContent).toContain('Waffle decides per user');
    expect(within(confirm).getByTestId('customer-confirm-submit').textContent).toBe('Enable for 2 learners');
    expect(calls.some((c) => c.op === 'enrollCustomer')).toBe(false);
    fireEvent.click(screen.getByTestId('customer-confirm-submit'));

    const shown = await screen.findByTestId('customer-live');
    expect(calls).toContainEqual({
      op: 'enrollCustomer',
      request: { flag: FLAG, customer: TEST_ENTERPRISE.uuid, durationSeconds: 8 * 3600, reason: 'PILOT-1' },
    });
    expect(shown.textContent).toContain('On for Test Enterprise (2 learners) until');
    expect(within(shown).getByTestId('customer-time-left').textContent).toBe('2h 05m');
    expect(screen.queryByTestId('customer-open')).toBeNull();
    const mine = screen.getAllByTestId('customer-enrollment');
    expect(mine.map((li) => li.dataset['state'])).toEqual(['live']);

    fireEvent.click(within(shown).getByTestId('customer-revoke'));
    await screen.findByTestId('customer-open');
    expect(calls).toContainEqual({ op: 'revokeCustomer', id: live.id });
    expect(screen.getAllByTestId('customer-enrollment').map((li) => li.dataset['state'])).toEqual(['ended']);
  });

  it('offers the durations up to the longest the LMS allows a customer, the default chosen', async () => {
    const { api } = backend({ flags: [ok(flags([flag()]))], customer: [ok(customerInfo)] });
    render(<Harness api={api} state={tab()} />);
    fireEvent.click(await screen.findByTestId('customer-open'));
    const select = screen.getByTestId('customer-duration') as HTMLSelectElement;
    const seconds = [...select.options].map((o) => Number(o.value));
    expect(Math.max(...seconds)).toBe(3 * 86400);
    expect(select.value).toBe(String(8 * 3600));
  });

  it('shows what the LMS said when it refuses, as text', async () => {
    const detail = '<img src=x onerror=alert(1)> already has a live enrollment (#9)';
    const { api } = backend({
      flags: [ok(flags([flag()]))],
      customer: [ok(customerInfo)],
      enrollCustomer: [{ ok: false, error: { kind: 'http', status: 409, detail, fields: {}, lms: LMS } }],
    });
    const { container } = render(<Harness api={api} state={tab()} />);
    fireEvent.click(await screen.findByTestId('customer-open'));
    fireEvent.input(screen.getByTestId('customer-reason'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('customer-continue'));
    fireEvent.click(screen.getByTestId('customer-confirm-submit'));
    const error = await screen.findByTestId('customer-error');
    expect(error.textContent).toContain(detail);
    expect(container.querySelector('img')).toBeNull();
  });

  it.each([
    ['without the permission', flags([flag()], false, true)],
    ['when the LMS has no edx-enterprise', flags([flag()], true, false)],
  ])('is neither shown nor asked for %s', async (_, data) => {
    const { api, calls } = backend({ flags: [ok(data)], customer: [ok(customerInfo)] });
    render(<Harness api={api} state={tab()} />);
    await screen.findByTestId('my-enrollments-empty');
    expect(screen.queryByTestId('customer-open')).toBeNull();
    expect(screen.queryByTestId('customer-enrollments')).toBeNull();
    expect(calls.map((c) => c.op).filter((op) => op.startsWith('customer') || op.endsWith('Customer'))).toEqual([]);
  });

  it('is not offered on a page that names no customer, or for a flag that is on or not enrollable', async () => {
    for (const [state, info] of [
      [tab(null), flag()],
      [tab(), flag({ activeForMe: true })],
      [tab(), flag({ enrollable: false, notEnrollableReason: 'Everyone is No' })],
    ] as const) {
      const { api } = backend({ flags: [ok(flags([info]))], customer: [ok(customerInfo)] });
      render(<Harness api={api} state={state} />);
      await screen.findByTestId('customer-enrollments');
      expect(screen.queryByTestId('customer-open')).toBeNull();
      cleanup();
    }
  });

  it('lists only the customer enrollments this account made', async () => {
    const { api } = backend({
      flags: [ok(flags([flag()]))],
      customer: [ok(customerInfo)],
      customerEnrollments: [
        ok([
          customerEnrollment({ id: 2, createdBy: 'someone_else' }),
          customerEnrollment({ id: 3, flag: 'enterprise.b' }),
        ]),
      ],
    });
    render(<Harness api={api} state={tab()} />);
    await waitFor(() => expect(screen.getAllByTestId('customer-enrollment')).toHaveLength(1));
    expect(screen.getByTestId('customer-enrollment').dataset['flag']).toBe('enterprise.b');
  });
});

describe('why a flag is on for you', () => {
  it('names your enterprise and how long its enrollment has left', async () => {
    const info = flag({
      activeForMe: true,
      myCustomers: [{ id: 5, customer: TEST_ENTERPRISE, expiresAt: new Date(NOW + 3600_000).toISOString() }],
    });
    const { api } = backend({ flags: [ok(flags([info], false))] });
    render(<Harness api={api} state={tab()} />);
    const why = await screen.findByTestId('why');
    expect(why.textContent).toBe('On for you: your enterprise Test Enterprise (1h 00m left)');
  });
});

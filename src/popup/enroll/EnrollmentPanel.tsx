// The section under the flags: the LMS's answer (loading, an error with what to do, read-only), "My
// enrollments", and "Enroll another user" when the backend says you may.
import { CustomerEnrollmentList } from '../customer/CustomerEnrollmentList';
import { useMemo } from 'preact/hooks';
import type { Enrollment, FlagsResponse } from '../../core/backend-api';
import { EnrollmentTime } from './EnrollmentTime';
import { EnrollForm } from './EnrollForm';
import type { AllFlags, EnrollmentModel } from './useEnrollment';

export function EnrollmentPanel({ enrollment }: { enrollment: EnrollmentModel }) {
  const { load, lms } = enrollment;
  if (load.status === 'off') return null;
  if (load.status === 'loading') {
    return (
      <section class="enrollments" data-testid="backend-loading" aria-busy="true">
        <p class="muted">Asking the LMS which flags you may enroll in…</p>
      </section>
    );
  }
  if (load.status === 'error') {
    const readOnly = load.error?.kind === 'http' && load.error.status === 403;
    const signIn = load.error?.kind === 'http' && load.error.status === 401;
    return (
      <section class="enrollments" aria-labelledby="enrollments-heading">
        <h2 id="enrollments-heading">Enrollment</h2>
        <p
          class={readOnly ? 'muted' : 'warning'}
          data-testid={readOnly ? 'read-only' : 'backend-error'}
          role={readOnly ? undefined : 'alert'}
        >
          {readOnly
            ? `Read-only: ${load.error?.detail || 'the LMS does not let this account enroll in flags.'}`
            : load.message}
        </p>
        {signIn && lms ? (
          <a href={`${lms}/login`} target="_blank" rel="noreferrer" data-testid="sign-in">
            Sign in at {lms}
          </a>
        ) : null}
        {!readOnly ? (
          <button type="button" data-testid="backend-retry" onClick={() => void enrollment.refresh()}>
            Try again
          </button>
        ) : null}
      </section>
    );
  }
  const { data, mine, complete } = load;
  return (
    <section class="enrollments" aria-labelledby="enrollments-heading">
      <h2 id="enrollments-heading">My enrollments</h2>
      <MyEnrollments mine={mine} canEnrollSelf={data.permissions.canEnrollSelf} now={enrollment.now()} />
      <CustomerEnrollmentList customers={enrollment.customers} username={data.user.username} now={enrollment.now()} />
      {data.permissions.canEnrollOthers ? (
        <EnrollOther
          data={data}
          complete={complete}
          all={enrollment.all}
          loadAllFlags={enrollment.loadAllFlags}
          submit={enrollment.enroll}
        />
      ) : null}
    </section>
  );
}

function MyEnrollments({ mine, canEnrollSelf, now }: { mine: Enrollment[]; canEnrollSelf: boolean; now: number }) {
  const rows = [...mine]
    .sort((a, b) => Number(b.state === 'live') - Number(a.state === 'live') || b.id - a.id)
    .slice(0, 10);
  if (rows.length === 0) {
    return (
      <p class="muted" data-testid="my-enrollments-empty">
        {canEnrollSelf
          ? 'None yet. Use “Enroll me…” on a flag to try it for a while.'
          : 'None. This account may not enroll itself.'}
      </p>
    );
  }
  return (
    <ul class="my-enrollments" data-testid="my-enrollments">
      {rows.map((e) => (
        <li key={e.id} data-testid="my-enrollment" data-flag={e.flag} data-state={e.state}>
          <code>{e.flag}</code> <EnrollmentTime enrollment={e} now={now} />
          <span class="muted"> — {e.reason}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * "Enroll another user": any enrollable flag, not only those of the page. The flags the popup already
 * has are offered at once; every other one is asked for when the section is opened (the full list is
 * what `?names=` spares the popup on every open).
 */
function EnrollOther({
  data,
  complete,
  all,
  loadAllFlags,
  submit,
}: {
  data: FlagsResponse;
  complete: boolean;
  all: AllFlags;
  loadAllFlags: () => Promise<void>;
  submit: EnrollmentModel['enroll'];
}) {
  const choices = useMemo(() => {
    const names = new Set(data.flags.filter((f) => f.enrollable).map((f) => f.name));
    if (all.status === 'ready') for (const name of all.enrollable) names.add(name);
    return [...names].sort();
  }, [data, all]);
  const note =
    complete || all.status === 'ready' || all.status === 'idle' ? null : all.status === 'loading' ? (
      <span class="muted" data-testid="enroll-flags-loading">
        Asking the LMS for every flag…
      </span>
    ) : (
      <span class="field-error" data-testid="enroll-flags-error">
        Only the flags of this page are listed. {all.message}
      </span>
    );
  return (
    <details
      class="enroll-other"
      data-testid="enroll-other"
      onToggle={(e) => {
        if (e.currentTarget.open && !complete) void loadAllFlags();
      }}
    >
      <summary>Enroll another user</summary>
      <EnrollForm
        policy={data.policy}
        flag={null}
        choices={choices}
        choicesNote={note}
        forOther
        submit={submit}
        onDone={() => undefined}
      />
    </details>
  );
}

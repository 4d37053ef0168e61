// Under a flag's row: why it is on or off for you, your live enrollment with its countdown and "Revoke",
// "Enroll me…", and whether the portal now receives what your last action should have given.
import { useState } from 'preact/hooks';
import type { Enrollment, FlagInfo, FlagsResponse } from '../../core/backend-api';
import { flagNameFor } from '../../core/flag-names';
import { timeLeft, whyOnOff } from '../../core/enrollment-text';
import type { FlagRow, TabState } from '../../core/types';
import { describeVerdict, verify, type Expectation } from '../../core/verify';
import { CustomerControls } from '../customer/CustomerControls';
import { EnrollForm } from './EnrollForm';
import type { EnrollmentModel } from './useEnrollment';

/** The enrollment controls of one row, or nothing when the backend knows nothing of its flag. */
export function FlagEnrollment({ enrollment, row }: { enrollment: EnrollmentModel; row: FlagRow }) {
  const { load, byName, expectations } = enrollment;
  if (load.status !== 'ready') return null;
  const name = row.flag ?? flagNameFor(row.key);
  const info = name ? byName.get(name) : undefined;
  const expectation = name ? expectations.find((e) => e.flag === name) : undefined;
  if (!info && !expectation) return null;
  return (
    <>
      <FlagControls
        data={load.data}
        info={info ?? null}
        expectation={expectation ?? null}
        state={enrollment.state}
        nowMs={enrollment.now()}
        enroll={enrollment.enroll}
        revoke={enrollment.revoke}
        reload={enrollment.reload}
      />
      {info ? (
        <CustomerControls
          customers={enrollment.customers}
          flag={info}
          now={enrollment.now()}
          refreshFlags={enrollment.refresh}
        />
      ) : null}
    </>
  );
}

function FlagControls({
  data,
  info,
  expectation,
  state,
  nowMs,
  enroll,
  revoke,
  reload,
}: {
  data: FlagsResponse;
  info: FlagInfo | null;
  expectation: Expectation | null;
  state: TabState | null;
  nowMs: number;
  enroll: EnrollmentModel['enroll'];
  revoke: EnrollmentModel['revoke'];
  reload: () => Promise<void>;
}) {
  const live = info?.myEnrollment?.state === 'live' ? info.myEnrollment : null;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const revokeLive = async (e: Enrollment) => {
    setBusy(true);
    setError(null);
    const problem = await revoke(e);
    setBusy(false);
    if (problem) setError(problem);
  };

  return (
    <div class="enroll" data-testid="enroll-controls">
      {info ? (
        <p class="why" data-testid="why">
          <span class="muted">
            {info.activeForMe
              ? 'On for you: '
              : info.criteria.everyone === false
                ? 'Off for you: '
                : 'Off for you. On for: '}
          </span>
          {whyOnOff(info, nowMs).join(' · ')}
        </p>
      ) : null}
      {live ? (
        <div class="enroll__live" data-testid="enrollment-live">
          <span>
            Enrolled until <time dateTime={live.expiresAt}>{new Date(live.expiresAt).toLocaleString()}</time> (
            <span data-testid="time-left">{timeLeft(live.expiresAt, nowMs)}</span> left)
          </span>
          <button type="button" data-testid="revoke" disabled={busy} onClick={() => void revokeLive(live)}>
            {busy ? 'Revoking…' : 'Revoke'}
          </button>
        </div>
      ) : null}
      {info && !live && !info.activeForMe && data.permissions.canEnrollSelf ? (
        info.enrollable ? (
          open ? (
            <EnrollForm
              policy={data.policy}
              flag={info.name}
              forOther={false}
              submit={enroll}
              onDone={() => setOpen(false)}
              onCancel={() => setOpen(false)}
            />
          ) : (
            <button type="button" class="link-button" data-testid="enroll-open" onClick={() => setOpen(true)}>
              Enroll me…
            </button>
          )
        ) : (
          <p class="muted" data-testid="not-enrollable">
            Not enrollable: {info.notEnrollableReason ?? 'outside the enrollment policy'}
          </p>
        )
      ) : null}
      {error ? (
        <p class="inline-error" role="alert" data-testid="enroll-error">
          {error}
        </p>
      ) : null}
      {expectation ? <VerifyLine expectation={expectation} state={state} reload={reload} /> : null}
    </div>
  );
}

function VerifyLine({
  expectation,
  state,
  reload,
}: {
  expectation: Expectation;
  state: TabState | null;
  reload: () => Promise<void>;
}) {
  const verdict = verify(expectation, state);
  return (
    <div class={`verify verify--${verdict.kind}`} data-testid="verify" data-verdict={verdict.kind}>
      <span>{describeVerdict(expectation, verdict)}</span>
      {verdict.kind === 'reload' ? (
        <button type="button" data-testid="reload-to-verify" onClick={() => void reload()}>
          Reload now
        </button>
      ) : null}
    </div>
  );
}

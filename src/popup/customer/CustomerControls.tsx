// "Enable for <customer> (N learners)…" on a flag that is off, for accounts the LMS lets enroll
// customers: a duration and a reason, a confirmation that names how many learners it turns the flag on
// for, then the live customer enrollment with a countdown and "Revoke". The backend decides everything.
import { useId, useState } from 'preact/hooks';
import type { FlagInfo } from '../../core/backend-api';
import { describeBackendError } from '../../core/backend-error';
import { durationPresets, timeLeft } from '../../core/enrollment-text';
import { learners, type CustomerEnrollment } from '../../core/customers';
import { DurationField, ReasonField } from '../enroll/fields';
import type { CustomerEnrollments } from './useCustomerEnrollments';

const DEFAULT_MAX_SECONDS = 3 * 86400; // the backend's default MAX_CUSTOMER_DURATION

interface Props {
  customers: CustomerEnrollments;
  flag: FlagInfo;
  now: number;
  /** Reads the flags again (a customer enrollment changes who they are on for). */
  refreshFlags: () => Promise<unknown>;
}

export function CustomerControls({ customers, flag, now, refreshFlags }: Props) {
  const { customer } = customers;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!customers.enabled || !customer) return null;
  const live = customers.recent.find(
    (e) => e.state === 'live' && e.flag === flag.name && e.customer.uuid === customer.uuid,
  );

  const revoke = async (enrollment: CustomerEnrollment) => {
    setBusy(true);
    setError(null);
    const result = await customers.ask('backend/revokeCustomer', { id: enrollment.id });
    setBusy(false);
    if (!result.ok) return setError(describeBackendError(result.error));
    await Promise.all([customers.refresh(), refreshFlags()]);
  };

  if (live) {
    return (
      <div class="customer" data-testid="customer-live">
        <span>
          On for {customer.name} ({learners(live.learnerCount)}) until{' '}
          <time dateTime={live.expiresAt}>{new Date(live.expiresAt).toLocaleString()}</time> (
          <span data-testid="customer-time-left">{timeLeft(live.expiresAt, now)}</span> left)
        </span>
        <button type="button" data-testid="customer-revoke" disabled={busy} onClick={() => void revoke(live)}>
          {busy ? 'Revoking…' : 'Revoke'}
        </button>
        {error ? (
          <p class="inline-error" role="alert" data-testid="customer-error">
            {error}
          </p>
        ) : null}
      </div>
    );
  }
  if (flag.activeForMe || !flag.enrollable) return null;
  return <CustomerForm customers={customers} flag={flag.name} now={now} refreshFlags={refreshFlags} />;
}

type Step = { step: 'closed' } | { step: 'form' } | { step: 'confirm'; seconds: number; reason: string };

function CustomerForm({
  customers,
  flag,
  now,
  refreshFlags,
}: {
  customers: CustomerEnrollments;
  flag: string;
  now: number;
  refreshFlags: () => Promise<unknown>;
}) {
  const customer = customers.customer!;
  const max = customer.maxDurationSeconds ?? DEFAULT_MAX_SECONDS;
  const presets = durationPresets(max, customer.defaultDurationSeconds ?? undefined);
  const initial = presets.find((p) => p.seconds === customer.defaultDurationSeconds) ?? presets[0];
  const [step, setStep] = useState<Step>({ step: 'closed' });
  const [duration, setDuration] = useState(String(initial?.seconds ?? max));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const formId = useId();
  const [busy, setBusy] = useState(false);
  const who = `${customer.name} (${learners(customer.learnerCount)})`;

  if (step.step === 'closed') {
    return (
      <button type="button" class="link-button" data-testid="customer-open" onClick={() => setStep({ step: 'form' })}>
        Enable for {who}…
      </button>
    );
  }

  if (step.step === 'form') {
    const next = (event: Event) => {
      event.preventDefault();
      if (!reason.trim()) return setProblem('Say why (a ticket, a pilot plan): it goes into the audit log.');
      setProblem(null);
      setStep({ step: 'confirm', seconds: Number(duration), reason: reason.trim() });
    };
    return (
      <form class="enroll-form" data-testid="customer-form" onSubmit={next} noValidate>
        <p class="muted">
          Turn {flag} on for every learner of {who}.
        </p>
        <DurationField testId="customer-duration" presets={presets} value={duration} onChange={setDuration} />
        <ReasonField
          testId="customer-reason"
          value={reason}
          placeholder="PILOT-12: new dashboard for this customer"
          error={problem}
          errorId={`${formId}-reason-error`}
          errorTestId="customer-reason-error"
          onInput={setReason}
        />
        <div class="enroll-form__actions">
          <button type="submit" data-testid="customer-continue">
            Continue…
          </button>
          <button type="button" onClick={() => setStep({ step: 'closed' })}>
            Cancel
          </button>
        </div>
      </form>
    );
  }

  const until = new Date(now + step.seconds * 1000).toLocaleString();
  const confirm = async () => {
    setBusy(true);
    setProblem(null);
    const result = await customers.ask('backend/enrollCustomer', {
      flag,
      customer: customer.uuid,
      durationSeconds: step.seconds,
      reason: step.reason,
    });
    setBusy(false);
    if (!result.ok) {
      const fields = Object.entries(result.error.fields).map(([f, m]) => `${f}: ${m}`);
      return setProblem(fields.length ? `${fields.join('; ')}` : describeBackendError(result.error));
    }
    setStep({ step: 'closed' });
    setReason('');
    await Promise.all([customers.refresh(), refreshFlags()]);
  };
  return (
    <div class="customer-confirm" role="group" aria-label="Confirm" data-testid="customer-confirm">
      <p>
        This turns <code>{flag}</code> on for <strong>{learners(customer.learnerCount)}</strong> of {customer.name}{' '}
        until {until}. Waffle decides per user: a learner linked to other customers as well reads it on in every portal.
      </p>
      <div class="enroll-form__actions">
        <button type="button" data-testid="customer-confirm-submit" disabled={busy} onClick={() => void confirm()}>
          {busy ? 'Enabling…' : `Enable for ${learners(customer.learnerCount)}`}
        </button>
        <button type="button" disabled={busy} onClick={() => setStep({ step: 'form' })}>
          Back
        </button>
      </div>
      {problem ? (
        <p class="inline-error" role="alert" data-testid="customer-error">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

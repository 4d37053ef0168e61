// The enrollment form: a duration within the server's policy, a required reason, and for "Enroll another
// user" the user and the flag. Checks what it can before asking; shows the backend's per-field answers.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import type { EnrollRequest, Enrollment, FlagsResponse } from '../../core/backend-api';
import { describeBackendError, type BackendAnswer } from '../../core/backend-error';
import { durationPresets } from '../../core/enrollment-text';
import { DurationField, Field, FieldError, ReasonField } from './fields';

const CUSTOM = 'custom';

export interface EnrollFormProps {
  policy: FlagsResponse['policy'];
  /** Fixed flag for "Enroll me"; null lets the user pick (enroll another user) among `choices`. */
  flag: string | null;
  choices?: string[];
  /** Said under the flag picker: that more flags are on their way, or why they are not. */
  choicesNote?: ComponentChildren;
  forOther: boolean;
  submit: (request: EnrollRequest) => Promise<BackendAnswer<Enrollment>>;
  /** Once enrolled and the success shown: re-read what the LMS now says. */
  onDone: (e: Enrollment) => void;
  onCancel?: () => void;
}

export function EnrollForm({
  policy,
  flag,
  choices = [],
  choicesNote = null,
  forOther,
  submit,
  onDone,
  onCancel,
}: EnrollFormProps) {
  const presets = durationPresets(policy.maxDurationSeconds, policy.defaultDurationSeconds);
  const initial = presets.find((p) => p.seconds === policy.defaultDurationSeconds) ?? presets[0];
  const [duration, setDuration] = useState<string>(String(initial?.seconds ?? CUSTOM));
  const [minutes, setMinutes] = useState('');
  const [reason, setReason] = useState('');
  const [user, setUser] = useState('');
  const [picked, setPicked] = useState(flag ?? choices[0] ?? '');
  // The choices grow when every flag has arrived: pick the first if nothing could be picked before.
  const firstChoice = choices[0] ?? '';
  useEffect(() => {
    if (flag === null && !picked && firstChoice) setPicked(firstChoice);
  }, [flag, picked, firstChoice]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const id = useId();

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setDone(null);
    const problems: Record<string, string> = {};
    let seconds = Number(duration);
    if (duration === CUSTOM) {
      const m = Number(minutes);
      if (!/^\d+$/.test(minutes.trim()) || m <= 0)
        problems['duration'] = 'Enter a whole number of minutes, more than 0.';
      seconds = m * 60;
    }
    if (!reason.trim()) problems['reason'] = 'Say why (a ticket, a test plan): it goes into the audit log.';
    if (forOther && !user.trim()) problems['user'] = 'Enter the username or email of the user to enroll.';
    if (!picked) problems['flag'] = 'Pick a flag.';
    setErrors(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    const result = await submit({
      flag: picked,
      durationSeconds: seconds,
      reason: reason.trim(),
      ...(forOther ? { user: user.trim() } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      const fields = result.error.status === 400 ? result.error.fields : {};
      setErrors({ ...fields, form: describeBackendError(result.error) });
      return;
    }
    const enrollment = result.data;
    setDone(
      `Enrolled ${enrollment.user.username} in ${enrollment.flag} until ${new Date(enrollment.expiresAt).toLocaleString()}.`,
    );
    setReason('');
    setUser('');
    onDone(enrollment);
  };

  return (
    <form
      class="enroll-form"
      data-testid={forOther ? 'enroll-other-form' : 'enroll-form'}
      onSubmit={(e) => void onSubmit(e)}
      noValidate
    >
      {forOther ? (
        <Field
          label="User (username or email)"
          error={errors['user']}
          errorId={`${id}-user-error`}
          errorTestId="error-user"
        >
          {(described) => (
            <input
              type="text"
              data-testid="enroll-user"
              value={user}
              autoComplete="off"
              {...described}
              onInput={(e) => setUser(e.currentTarget.value)}
            />
          )}
        </Field>
      ) : null}
      {flag === null ? (
        <label>
          <span>Flag</span>
          <select data-testid="enroll-flag" value={picked} onChange={(e) => setPicked(e.currentTarget.value)}>
            {choices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          {choicesNote}
          <FieldError id={`${id}-flag-error`} error={errors['flag']} testId="error-flag" />
        </label>
      ) : null}
      <DurationField testId="enroll-duration" presets={presets} value={duration} onChange={setDuration}>
        <option value={CUSTOM}>Custom…</option>
      </DurationField>
      {duration === CUSTOM ? (
        <label>
          <span>Minutes</span>
          <input
            type="text"
            inputMode="numeric"
            data-testid="enroll-minutes"
            value={minutes}
            {...(errors['duration'] ? { 'aria-invalid': true, 'aria-describedby': `${id}-duration-error` } : {})}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </label>
      ) : null}
      <FieldError id={`${id}-duration-error`} error={errors['duration']} testId="error-duration" />
      <FieldError id={`${id}-expires_at-error`} error={errors['expires_at']} testId="error-expires_at" />
      <ReasonField
        testId="enroll-reason"
        value={reason}
        placeholder="QA-1234: check the new dashboard"
        error={errors['reason']}
        errorId={`${id}-reason-error`}
        errorTestId="error-reason"
        onInput={setReason}
      />
      <div class="enroll-form__actions">
        <button type="submit" data-testid={forOther ? 'enroll-other-submit' : 'enroll-submit'} disabled={busy}>
          {busy ? 'Enrolling…' : forOther ? 'Enroll user' : 'Enroll me'}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        ) : null}
      </div>
      {errors['form'] ? (
        <p class="inline-error" role="alert" data-testid="enroll-error">
          {errors['form']}
        </p>
      ) : null}
      {done ? (
        <p class="inline-ok" role="status" data-testid="enroll-done">
          {done}
        </p>
      ) : null}
    </form>
  );
}

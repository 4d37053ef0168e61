// The enrollment form: a duration within the server's policy, a required reason, and for "Enroll another
// user" the user and the flag. Checks what it can before asking; shows the backend's per-field answers.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import type { EnrollRequest, Enrollment, FlagsResponse } from '../../core/backend-api';
import { describeBackendError, type BackendAnswer } from '../../core/backend-error';
import { durationPresets } from '../../core/enrollment-text';

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

/** A labelled control with its error, tied together for assistive technology. */
function Field({
  label,
  name,
  formId,
  errors,
  children,
}: {
  label: string;
  name: string;
  formId: string;
  errors: Record<string, string>;
  children: (described: { 'aria-invalid'?: true; 'aria-describedby'?: string }) => ComponentChildren;
}) {
  const errorId = `${formId}-${name}-error`;
  return (
    <label>
      <span>{label}</span>
      {children(errors[name] ? { 'aria-invalid': true, 'aria-describedby': errorId } : {})}
      <FieldError name={name} formId={formId} errors={errors} />
    </label>
  );
}

function FieldError({ name, formId, errors }: { name: string; formId: string; errors: Record<string, string> }) {
  return errors[name] ? (
    <span class="field-error" id={`${formId}-${name}-error`} data-testid={`error-${name}`}>
      {errors[name]}
    </span>
  ) : null;
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
        <Field label="User (username or email)" name="user" formId={id} errors={errors}>
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
          <FieldError name="flag" formId={id} errors={errors} />
        </label>
      ) : null}
      <label>
        <span>For</span>
        <select data-testid="enroll-duration" value={duration} onChange={(e) => setDuration(e.currentTarget.value)}>
          {presets.map((p) => (
            <option key={p.seconds} value={String(p.seconds)}>
              {p.label}
            </option>
          ))}
          <option value={CUSTOM}>Custom…</option>
        </select>
      </label>
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
      <FieldError name="duration" formId={id} errors={errors} />
      <FieldError name="expires_at" formId={id} errors={errors} />
      <Field label="Reason (required)" name="reason" formId={id} errors={errors}>
        {(described) => (
          <input
            type="text"
            data-testid="enroll-reason"
            value={reason}
            placeholder="QA-1234: check the new dashboard"
            {...described}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        )}
      </Field>
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

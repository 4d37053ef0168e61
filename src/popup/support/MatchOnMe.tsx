// "Match on me": one reason and one duration enroll me in every differing flag an enrollment can make
// match, each through `POST enrollments/` as its own audited enrollment; the rest are listed with why
// not and what to do instead.
import { useId, useState } from 'preact/hooks';
import type { EnrollRequest, Enrollment, FlagsResponse } from '../../core/backend-api';
import { describeBackendError, type BackendAnswer, type BackendError } from '../../core/backend-error';
import { durationPresets } from '../../core/enrollment-text';
import type { MatchPlan } from '../../core/match';
import { DurationField, ReasonField } from '../enroll/fields';

type Outcome = { flag: string; ok: true; enrollment: Enrollment } | { flag: string; ok: false; error: BackendError };

export function MatchOnMe({
  enroll,
  plan,
  mine,
  them,
  onEnrolled,
}: {
  /** Enrolls me (and remembers to verify it after a reload). */
  enroll: (request: EnrollRequest) => Promise<BackendAnswer<Enrollment>>;
  plan: MatchPlan;
  mine: FlagsResponse;
  them: string;
  onEnrolled: (enrollments: Enrollment[]) => Promise<void>;
}) {
  const presets = durationPresets(mine.policy.maxDurationSeconds, mine.policy.defaultDurationSeconds);
  const initial = presets.find((p) => p.seconds === mine.policy.defaultDurationSeconds) ?? presets[0];
  const [open, setOpen] = useState(false);
  const [duration, setDuration] = useState(String(initial?.seconds ?? ''));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const formId = useId();
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);

  if (plan.enroll.length === 0 && plan.cannot.length === 0 && outcomes.length === 0) return null;

  const submit = async (e: Event) => {
    e.preventDefault();
    const why = reason.trim();
    if (!why) return setProblem('Say why (the ticket): it goes into the audit log of each enrollment.');
    if (why.length > mine.policy.maxReasonLength)
      return setProblem(`At most ${mine.policy.maxReasonLength} characters.`);
    setProblem(null);
    setBusy(true);
    const done: Outcome[] = [];
    // One after the other: each is its own enrollment, and the LMS locks each flag in turn.
    for (const flag of plan.enroll) {
      const result = await enroll({ flag, durationSeconds: Number(duration), reason: why });
      done.push(result.ok ? { flag, ok: true, enrollment: result.data } : { flag, ok: false, error: result.error });
    }
    setOutcomes(done);
    setBusy(false);
    setOpen(false);
    const enrolled = done.flatMap((o) => (o.ok ? [o.enrollment] : []));
    if (enrolled.length) await onEnrolled(enrolled);
  };

  return (
    <section class="match" aria-labelledby="match-heading" data-testid="match">
      <h3 id="match-heading">Match on me</h3>
      {plan.enroll.length ? (
        <>
          <p data-testid="match-summary">
            On for {them}, off for you, and enrollable: {plan.enroll.join(', ')}.
          </p>
          {open ? (
            <form class="enroll-form" data-testid="match-form" onSubmit={(e) => void submit(e)} noValidate>
              <DurationField testId="match-duration" presets={presets} value={duration} onChange={setDuration} />
              <ReasonField
                testId="match-reason"
                value={reason}
                placeholder={`SUP-1234: reproduce ${them}'s view`}
                error={problem}
                errorId={`${formId}-reason-error`}
                errorTestId="match-problem"
                onInput={setReason}
              />
              <div class="enroll-form__actions">
                <button type="submit" data-testid="match-submit" disabled={busy}>
                  {busy
                    ? 'Enrolling…'
                    : `Enroll me in ${plan.enroll.length} flag${plan.enroll.length === 1 ? '' : 's'}`}
                </button>
                <button type="button" disabled={busy} onClick={() => setOpen(false)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : (
            <button type="button" data-testid="match-open" onClick={() => setOpen(true)}>
              Match on me…
            </button>
          )}
        </>
      ) : (
        <p class="muted" data-testid="match-nothing">
          No difference an enrollment of yours can close.
        </p>
      )}
      {outcomes.length ? (
        <ul class="match-results" data-testid="match-results">
          {outcomes.map((o) => (
            <li key={o.flag} data-testid="match-result" data-flag={o.flag} data-ok={String(o.ok)}>
              <code>{o.flag}</code>{' '}
              {o.ok ? (
                <span>
                  enrolled until {new Date(o.enrollment.expiresAt).toLocaleString()}. Reload the tab: its row says
                  whether the portal now receives it on.
                </span>
              ) : (
                <span class="field-error">{describeBackendError(o.error)}</span>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {plan.cannot.length ? (
        <div data-testid="match-cannot">
          <h4>Cannot be matched by enrolling you</h4>
          <ul>
            {plan.cannot.map((c) => (
              <li key={c.flag} data-testid="match-cannot-item" data-flag={c.flag}>
                <code>{c.flag}</code>: {c.why}. <span class="muted">{c.advice}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

// Enrollment in the popup (issue 5): why each flag is on or off for you, "Enroll me" with a duration and
// a required reason, the live enrollment with a countdown and "Revoke", "My enrollments", and "Enroll
// another user" when the backend says you may. The backend decides everything; this only asks it.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  describeBackendError,
  durationPresets,
  isAskableFlagName,
  MAX_FLAG_NAMES,
  timeLeft,
  whyOnOff,
  type BackendError,
  type BackendOp,
  type BackendResult,
  type Enrollment,
  type FlagInfo,
  type FlagsResponse,
} from '../../core/backend';
import { flagNameFor } from '../../core/flag-names';
import { latestValues } from '../../core/flags';
import type { FlagRow, TabState } from '../../core/types';
import { describeVerdict, verify, type Expectation } from '../../core/verify';

export interface BackendApi {
  call(op: BackendOp): Promise<BackendResult<unknown>>;
}

export interface ExpectationStore {
  load(): Promise<Expectation[]>;
  save(expectation: Expectation): Promise<Expectation[]>;
}

export interface EnrollmentOptions {
  api: BackendApi;
  store: ExpectationStore;
  /** Whether the tab is a portal of a known environment (otherwise there is no LMS to ask). */
  portal: boolean;
  /** The LMS origin, for the sign-in link. */
  lms: string | null;
  state: TabState | null;
  reload: () => Promise<void>;
  now: () => number;
}

type Load =
  | { status: 'off' }
  | { status: 'loading' }
  | { status: 'error'; error: BackendError | null; message: string }
  /** `complete`: `data.flags` is every visible flag, not only those the page showed. */
  | { status: 'ready'; data: FlagsResponse; mine: Enrollment[]; complete: boolean };

/** Every enrollable flag, for "Enroll another user": asked for only when that section is opened. */
type AllFlags =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; enrollable: string[] };

function errorOf(result: BackendResult<unknown>): BackendError | null {
  return result.ok ? null : result.error;
}

/**
 * The Waffle flag names of the rows the popup shows (the current load's keys), sorted, each once; null
 * when there are more than one `?names=` may carry (then the whole list is asked for).
 */
export function shownFlagNames(state: TabState | null): string[] | null {
  const current = state?.loads[0];
  const names = new Set<string>();
  if (current) {
    for (const row of latestValues(current.snapshots).values()) {
      const name = row.flag ?? flagNameFor(row.key);
      if (name !== null && isAskableFlagName(name)) names.add(name);
    }
  }
  return names.size > MAX_FLAG_NAMES ? null : [...names].sort();
}

/** Everything enrollment needs, as state and two render functions for the popup's App. */
export function useEnrollment(options: EnrollmentOptions): {
  renderFlagExtra: (row: FlagRow) => ComponentChildren;
  panel: ComponentChildren;
} {
  const { api, store, portal, now, state } = options;
  const [load, setLoad] = useState<Load>({ status: portal ? 'loading' : 'off' });
  const [all, setAll] = useState<AllFlags>({ status: 'idle' });
  const [expectations, setExpectations] = useState<Expectation[]>([]);
  const [, setTick] = useState(0);

  // Only the flags the popup shows are asked for (`GET flags/?names=`): a page shows 10-30 of the LMS's
  // hundreds or thousands. A new set of names (more captures came in) asks again.
  const names = useMemo(() => shownFlagNames(state), [state]);
  const namesKey = names === null ? null : names.join(',');
  const asked = useRef(0);

  /** Re-reads flags and my enrollments; returns the flags, or null when the LMS could not answer. */
  const refresh = useCallback(async (): Promise<FlagsResponse | null> => {
    const mine = ++asked.current; // an older answer arriving late must not replace a newer one
    if (!portal) {
      setLoad({ status: 'off' });
      return null;
    }
    const wanted = namesKey === null ? null : namesKey === '' ? [] : namesKey.split(',');
    const flags = await api.call(wanted === null ? { op: 'flags' } : { op: 'flags', names: wanted });
    if (!flags.ok) {
      if (mine === asked.current)
        setLoad({ status: 'error', error: flags.error, message: describeBackendError(flags.error) });
      return null;
    }
    const data = flags.data as FlagsResponse;
    const enrollments = await api.call({ op: 'enrollments', user: data.user.username, state: 'all' });
    if (mine === asked.current)
      setLoad({
        status: 'ready',
        data,
        mine: enrollments.ok ? (enrollments.data as Enrollment[]) : [],
        complete: wanted === null,
      });
    return data;
  }, [api, portal, namesKey]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    void store.load().then(setExpectations, () => undefined);
  }, [store]);

  /** Asks for every flag once, when "Enroll another user" is opened (unless it is known already). */
  const allRef = useRef<AllFlags['status']>('idle');
  const loadAllFlags = useCallback(async () => {
    if (allRef.current === 'loading' || allRef.current === 'ready') return;
    allRef.current = 'loading';
    setAll({ status: 'loading' });
    const result = await api.call({ op: 'flags' });
    if (result.ok) {
      allRef.current = 'ready';
      const enrollable = (result.data as FlagsResponse).flags.filter((f) => f.enrollable).map((f) => f.name);
      setAll({ status: 'ready', enrollable });
    } else {
      allRef.current = 'error';
      setAll({ status: 'error', message: describeBackendError(result.error) });
    }
  }, [api]);

  // A live enrollment shows a countdown: re-render every second while there is one.
  const hasLive = load.status === 'ready' && load.data.flags.some((f) => f.myEnrollment?.state === 'live');
  useEffect(() => {
    if (!hasLive) return undefined;
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [hasLive]);

  const expect = useCallback(
    async (e: Expectation) => setExpectations(await store.save(e).catch(() => [...expectations, e])),
    [store, expectations],
  );

  const byName = useMemo(
    () => (load.status === 'ready' ? new Map(load.data.flags.map((f) => [f.name, f])) : new Map<string, FlagInfo>()),
    [load],
  );

  const ctx: Ctx = { ...options, load, refresh, expect, expectations, all, loadAllFlags };

  const renderFlagExtra = (row: FlagRow): ComponentChildren => {
    if (load.status !== 'ready') return null;
    const name = row.flag ?? flagNameFor(row.key);
    const info = name ? byName.get(name) : undefined;
    const expectation = name ? expectations.find((e) => e.flag === name) : undefined;
    if (!info && !expectation) return null;
    return <FlagControls ctx={ctx} data={load.data} info={info ?? null} expectation={expectation ?? null} />;
  };

  return { renderFlagExtra, panel: <Panel ctx={ctx} now={now()} /> };
}

interface Ctx extends EnrollmentOptions {
  load: Load;
  refresh: () => Promise<FlagsResponse | null>;
  expect: (e: Expectation) => Promise<void>;
  expectations: Expectation[];
  all: AllFlags;
  loadAllFlags: () => Promise<void>;
}

// ---- per flag ------------------------------------------------------------------------------------

function FlagControls({
  ctx,
  data,
  info,
  expectation,
}: {
  ctx: Ctx;
  data: FlagsResponse;
  info: FlagInfo | null;
  expectation: Expectation | null;
}) {
  const nowMs = ctx.now();
  const live = info?.myEnrollment?.state === 'live' ? info.myEnrollment : null;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const revoke = async (enrollment: Enrollment) => {
    setBusy(true);
    setError(null);
    const result = await ctx.api.call({ op: 'revoke', id: enrollment.id });
    setBusy(false);
    if (!result.ok) return setError(describeBackendError(result.error));
    // What the portal should now receive is what waffle now answers for me (other criteria may keep it on).
    const fresh = await ctx.refresh();
    const after = fresh?.flags.find((f) => f.name === enrollment.flag)?.activeForMe;
    await ctx.expect({
      flag: enrollment.flag,
      on: after ?? (result.data as Enrollment).preexistingMembership,
      at: ctx.now(),
      action: 'revoked',
    });
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
          <button type="button" data-testid="revoke" disabled={busy} onClick={() => void revoke(live)}>
            {busy ? 'Revoking…' : 'Revoke'}
          </button>
        </div>
      ) : null}
      {info && !live && !info.activeForMe && data.permissions.canEnrollSelf ? (
        info.enrollable ? (
          open ? (
            <EnrollForm
              ctx={ctx}
              data={data}
              flag={info.name}
              forOther={false}
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
      {expectation ? <VerifyLine ctx={ctx} expectation={expectation} /> : null}
    </div>
  );
}

function VerifyLine({ ctx, expectation }: { ctx: Ctx; expectation: Expectation }) {
  const verdict = verify(expectation, ctx.state);
  return (
    <div class={`verify verify--${verdict.kind}`} data-testid="verify" data-verdict={verdict.kind}>
      <span>{describeVerdict(expectation, verdict)}</span>
      {verdict.kind === 'reload' ? (
        <button type="button" data-testid="reload-to-verify" onClick={() => void ctx.reload()}>
          Reload now
        </button>
      ) : null}
    </div>
  );
}

// ---- the form ------------------------------------------------------------------------------------

const CUSTOM = 'custom';

function EnrollForm({
  ctx,
  data,
  flag,
  choices = [],
  choicesNote = null,
  forOther,
  onDone,
  onCancel,
}: {
  ctx: Ctx;
  data: FlagsResponse;
  /** Fixed flag for "Enroll me"; null lets the user pick (enroll another user) among `choices`. */
  flag: string | null;
  choices?: string[];
  /** Said under the flag picker: that more flags are on their way, or why they are not. */
  choicesNote?: ComponentChildren;
  forOther: boolean;
  onDone: (e: Enrollment) => void;
  onCancel?: () => void;
}) {
  const presets = durationPresets(data.policy.maxDurationSeconds, data.policy.defaultDurationSeconds);
  const initial = presets.find((p) => p.seconds === data.policy.defaultDurationSeconds) ?? presets[0];
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
  const id = useMemo(() => Math.random().toString(36).slice(2, 8), []);

  const submit = async (event: Event) => {
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
    const result = await ctx.api.call({
      op: 'enroll',
      request: {
        flag: picked,
        durationSeconds: seconds,
        reason: reason.trim(),
        ...(forOther ? { user: user.trim() } : {}),
      },
    });
    setBusy(false);
    const error = errorOf(result);
    if (error) {
      const fields = error.status === 400 ? error.fields : {};
      return setErrors({ ...fields, form: describeBackendError(error) });
    }
    const enrollment = (result as { ok: true; data: Enrollment }).data;
    if (!forOther) await ctx.expect({ flag: enrollment.flag, on: true, at: ctx.now(), action: 'enrolled' });
    setDone(
      `Enrolled ${enrollment.user.username} in ${enrollment.flag} until ${new Date(enrollment.expiresAt).toLocaleString()}.`,
    );
    setReason('');
    setUser('');
    await ctx.refresh();
    onDone(enrollment);
  };

  const fieldError = (name: string) =>
    errors[name] ? (
      <span class="field-error" id={`${id}-${name}-error`} data-testid={`error-${name}`}>
        {errors[name]}
      </span>
    ) : null;

  return (
    <form class="enroll-form" data-testid={forOther ? 'enroll-other-form' : 'enroll-form'} onSubmit={submit} noValidate>
      {forOther ? (
        <label>
          <span>User (username or email)</span>
          <input
            type="text"
            data-testid="enroll-user"
            value={user}
            autoComplete="off"
            aria-invalid={errors['user'] ? true : undefined}
            aria-describedby={errors['user'] ? `${id}-user-error` : undefined}
            onInput={(e) => setUser(e.currentTarget.value)}
          />
          {fieldError('user')}
        </label>
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
          {fieldError('flag')}
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
            aria-invalid={errors['duration'] ? true : undefined}
            aria-describedby={errors['duration'] ? `${id}-duration-error` : undefined}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </label>
      ) : null}
      {fieldError('duration')}
      {fieldError('expires_at')}
      <label>
        <span>Reason (required)</span>
        <input
          type="text"
          data-testid="enroll-reason"
          value={reason}
          placeholder="QA-1234: check the new dashboard"
          aria-invalid={errors['reason'] ? true : undefined}
          aria-describedby={errors['reason'] ? `${id}-reason-error` : undefined}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        {fieldError('reason')}
      </label>
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

// ---- the panel under the flags -------------------------------------------------------------------

function Panel({ ctx, now }: { ctx: Ctx; now: number }) {
  const { load } = ctx;
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
        {signIn && ctx.lms ? (
          <a href={`${ctx.lms}/login`} target="_blank" rel="noreferrer" data-testid="sign-in">
            Sign in at {ctx.lms}
          </a>
        ) : null}
        {!readOnly ? (
          <button type="button" data-testid="backend-retry" onClick={() => void ctx.refresh()}>
            Try again
          </button>
        ) : null}
      </section>
    );
  }
  const { data, mine } = load;
  const rows = [...mine]
    .sort((a, b) => Number(b.state === 'live') - Number(a.state === 'live') || b.id - a.id)
    .slice(0, 10);
  return (
    <section class="enrollments" aria-labelledby="enrollments-heading">
      <h2 id="enrollments-heading">My enrollments</h2>
      {rows.length === 0 ? (
        <p class="muted" data-testid="my-enrollments-empty">
          {data.permissions.canEnrollSelf
            ? 'None yet. Use “Enroll me…” on a flag to try it for a while.'
            : 'None. This account may not enroll itself.'}
        </p>
      ) : (
        <ul class="my-enrollments" data-testid="my-enrollments">
          {rows.map((e) => (
            <li key={e.id} data-testid="my-enrollment" data-flag={e.flag} data-state={e.state}>
              <code>{e.flag}</code>{' '}
              {e.state === 'live' ? (
                <span>
                  until {new Date(e.expiresAt).toLocaleString()} ({timeLeft(e.expiresAt, now)} left)
                </span>
              ) : (
                <span class="muted">
                  {e.endReason ?? 'ended'} {e.endedAt ? new Date(e.endedAt).toLocaleString() : ''}
                </span>
              )}
              <span class="muted"> — {e.reason}</span>
            </li>
          ))}
        </ul>
      )}
      {data.permissions.canEnrollOthers ? <EnrollOther ctx={ctx} data={data} complete={load.complete} /> : null}
    </section>
  );
}

/**
 * "Enroll another user": any enrollable flag, not only those of the page. The flags the popup already
 * has are offered at once; every other one is asked for when the section is opened (the full list is
 * what `?names=` spares the popup on every open).
 */
function EnrollOther({ ctx, data, complete }: { ctx: Ctx; data: FlagsResponse; complete: boolean }) {
  const { all, loadAllFlags } = ctx;
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
        ctx={ctx}
        data={data}
        flag={null}
        choices={choices}
        choicesNote={note}
        forOther
        onDone={() => undefined}
      />
    </details>
  );
}

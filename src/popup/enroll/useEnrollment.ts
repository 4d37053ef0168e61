// The popup's enrollment state: the flags the LMS says about the caller (for the rows the page showed),
// the caller's enrollments, every enrollable flag once "Enroll another user" is opened, and what the
// user expects the portal to receive after an action. The backend decides everything; this only asks it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  isAskableFlagName,
  MAX_FLAG_NAMES,
  type EnrollRequest,
  type Enrollment,
  type FlagInfo,
  type FlagsResponse,
} from '../../core/backend-api';
import { describeBackendError, type BackendAnswer, type BackendError } from '../../core/backend-error';
import { flagNameFor } from '../../core/flag-names';
import { latestValuesOnce } from '../../core/flags';
import type { BackendRequests, BackendRequestType } from '../../core/messages';
import type { TabState } from '../../core/types';
import type { Expectation } from '../../core/verify';
import { useCustomerEnrollments, type CustomerEnrollments } from '../customer/useCustomerEnrollments';
import { latestEnterprise } from '../model';

/** Asks the tab's content script to make a request to the enrollment API. */
export type AskBackend = <K extends BackendRequestType>(
  type: K,
  payload: BackendRequests[K]['req'],
) => Promise<BackendAnswer<BackendRequests[K]['data']>>;

export interface ExpectationStore {
  load(): Promise<Expectation[]>;
  save(expectation: Expectation): Promise<Expectation[]>;
}

export interface EnrollmentOptions {
  ask: AskBackend;
  store: ExpectationStore;
  /** Whether the tab is a portal of a known environment (otherwise there is no LMS to ask). */
  portal: boolean;
  /** The LMS origin, for the sign-in link. */
  lms: string | null;
  state: TabState | null;
  reload: () => Promise<void>;
  now: () => number;
}

export type BackendLoad =
  | { status: 'off' }
  | { status: 'loading' }
  | { status: 'error'; error: BackendError | null; message: string }
  /** `complete`: `data.flags` is every visible flag, not only those the page showed. */
  | { status: 'ready'; data: FlagsResponse; mine: Enrollment[]; complete: boolean };

/** Every enrollable flag, for "Enroll another user": asked for only when that section is opened. */
export type AllFlags =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; enrollable: string[] };

export interface EnrollmentModel {
  load: BackendLoad;
  all: AllFlags;
  expectations: Expectation[];
  /** The backend's answer per flag name, for the rows. */
  byName: ReadonlyMap<string, FlagInfo>;
  lms: string | null;
  state: TabState | null;
  now: () => number;
  /** Re-reads flags and my enrollments; the flags, or null when the LMS could not answer. */
  refresh: () => Promise<FlagsResponse | null>;
  /** Asks for every flag once (unless known already). */
  loadAllFlags: () => Promise<void>;
  /** Enrolls; when it is the caller, remembers that the portal should now receive the flag on. */
  enroll: (request: EnrollRequest) => Promise<BackendAnswer<Enrollment>>;
  /** Revokes; the sentence to show when it failed, else null. */
  revoke: (enrollment: Enrollment) => Promise<string | null>;
  reload: () => Promise<void>;
  /** Customer enrollments, for accounts the LMS lets enroll customers (see customer/). */
  customers: CustomerEnrollments;
}

/**
 * The Waffle flag names of the rows the popup shows (the current load's keys), sorted, each once; null
 * when there are more than one `?names=` may carry (then the whole list is asked for).
 */
export function shownFlagNames(state: TabState | null): string[] | null {
  const current = state?.loads[0];
  const names = new Set<string>();
  if (current) {
    for (const row of latestValuesOnce(current.snapshots).values()) {
      const name = row.flag ?? flagNameFor(row.key);
      if (name !== null && isAskableFlagName(name)) names.add(name);
    }
  }
  return names.size > MAX_FLAG_NAMES ? null : [...names].sort();
}

export function useEnrollment(options: EnrollmentOptions): EnrollmentModel {
  const { ask, store, portal, now, state, lms, reload } = options;
  const [load, setLoad] = useState<BackendLoad>({ status: portal ? 'loading' : 'off' });
  const [all, setAll] = useState<AllFlags>({ status: 'idle' });
  const [expectations, setExpectations] = useState<Expectation[]>([]);
  const [, setTick] = useState(0);

  // Only the flags the popup shows are asked for (`GET flags/?names=`): a page shows 10-30 of the LMS's
  // hundreds or thousands. A new set of names (more captures came in) asks again.
  const names = useMemo(() => shownFlagNames(state), [state]);
  const namesKey = names === null ? null : names.join(',');
  const asked = useRef(0);

  const refresh = useCallback(async (): Promise<FlagsResponse | null> => {
    const mine = ++asked.current; // an older answer arriving late must not replace a newer one
    if (!portal) {
      setLoad({ status: 'off' });
      return null;
    }
    const wanted = namesKey === null ? null : namesKey === '' ? [] : namesKey.split(',');
    const flags = await ask('backend/flags', wanted === null ? {} : { names: wanted });
    if (!flags.ok) {
      if (mine === asked.current)
        setLoad({ status: 'error', error: flags.error, message: describeBackendError(flags.error) });
      return null;
    }
    const enrollments = await ask('backend/enrollments', { user: flags.data.user.username, state: 'all' });
    if (mine === asked.current)
      setLoad({
        status: 'ready',
        data: flags.data,
        mine: enrollments.ok ? enrollments.data : [],
        complete: wanted === null,
      });
    return flags.data;
  }, [ask, portal, namesKey]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    void store.load().then(setExpectations, () => undefined);
  }, [store]);

  const allStatus = useRef<AllFlags['status']>('idle');
  const loadAllFlags = useCallback(async () => {
    if (allStatus.current === 'loading' || allStatus.current === 'ready') return;
    allStatus.current = 'loading';
    setAll({ status: 'loading' });
    const result = await ask('backend/flags', {});
    if (result.ok) {
      allStatus.current = 'ready';
      setAll({ status: 'ready', enrollable: result.data.flags.filter((f) => f.enrollable).map((f) => f.name) });
    } else {
      allStatus.current = 'error';
      setAll({ status: 'error', message: describeBackendError(result.error) });
    }
  }, [ask]);

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

  const enroll = useCallback(
    async (request: EnrollRequest): Promise<BackendAnswer<Enrollment>> => {
      const result = await ask('backend/enroll', request);
      if (!result.ok) return result;
      // The LMS's fresh answer first (the row shows the live enrollment and drops its form), then "Reload
      // now": it appears where it stays, not above a form that is about to close.
      await refresh();
      if (request.user === undefined) await expect({ flag: result.data.flag, on: true, at: now(), action: 'enrolled' });
      return result;
    },
    [ask, refresh, expect, now],
  );

  const revoke = useCallback(
    async (enrollment: Enrollment): Promise<string | null> => {
      const result = await ask('backend/revoke', { id: enrollment.id });
      if (!result.ok) return describeBackendError(result.error);
      // What the portal should now receive is what waffle now answers for me (other criteria may keep it on).
      const fresh = await refresh();
      const after = fresh?.flags.find((f) => f.name === enrollment.flag)?.activeForMe;
      await expect({
        flag: enrollment.flag,
        on: after ?? result.data.preexistingMembership,
        at: now(),
        action: 'revoked',
      });
      return null;
    },
    [ask, refresh, expect, now],
  );

  const byName = useMemo(
    () => (load.status === 'ready' ? new Map(load.data.flags.map((f) => [f.name, f])) : new Map<string, FlagInfo>()),
    [load],
  );

  const enterprise = useMemo(() => (state ? latestEnterprise(state) : null), [state]);
  const customers = useCustomerEnrollments(ask, load.status === 'ready' ? load.data : null, enterprise);

  return { load, all, expectations, byName, lms, state, now, refresh, loadAllFlags, enroll, revoke, reload, customers };
}

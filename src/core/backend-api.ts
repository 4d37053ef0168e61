// The enrollment API of the backend (`backend/waffle_enrollments`, docs/api/openapi.yaml) as the extension
// uses it: where it is, what it answers with (after `backend-answers.ts` has checked it), what may be asked.
// Pure: no fetch, no extension API.
import type { CustomerRef, MyCustomerEnrollment } from './customers';
import type { Subject } from './subject';

export const API_PREFIX = '/api/waffle-enrollments/v1/';
export const CSRF_PATH = '/csrf/api/v1/token';
export const REFRESH_PATH = '/login_refresh';

export interface UserRef {
  id: number;
  username: string;
  email: string;
}

export interface Enrollment {
  id: number;
  flag: string;
  user: UserRef;
  createdBy: UserRef | null;
  reason: string;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
  endReason: 'revoked' | 'expired' | null;
  endedBy: UserRef | null;
  preexistingMembership: boolean;
  state: 'live' | 'ended';
}

export interface FlagCriteria {
  everyone: boolean | null;
  percent: number | null;
  testing: boolean;
  superusers: boolean;
  staff: boolean;
  authenticated: boolean;
  groups: string[];
  userCount: number;
}

export interface FlagInfo {
  name: string;
  note: string;
  criteria: FlagCriteria;
  activeForMe: boolean;
  /**
   * `active_for_me` was null: the answer depends on a cookie the subject's browser may not have yet (a
   * percent flag, evaluated for another user as a request without cookies). `activeForMe` is then false.
   */
  undecided?: boolean;
  enrollable: boolean;
  notEnrollableReason: string | null;
  myEnrollment: Enrollment | null;
  /** Whether the caller is in Flag.users; null when the backend does not say. */
  listed: boolean | null;
  /** The caller's groups that the flag lists. */
  myGroups: string[];
  /** Enterprise customers with a live customer enrollment in the flag (`criteria.customers`). */
  customers?: CustomerRef[];
  /** Those of them the caller is linked to, with their enrollments (`me.customers`): why it is on. */
  myCustomers?: MyCustomerEnrollment[];
}

export interface FlagsResponse {
  user: UserRef;
  /** Whom the per-flag answers describe: the caller, or the user of `?user=`. Null from an older backend. */
  subject?: Subject | null;
  permissions: {
    canEnrollSelf: boolean;
    canEnrollOthers: boolean;
    canEnrollCustomers?: boolean;
    /** May look at other users' flags (`?user=`, `users/`, `lookups/`). */
    canViewOthers?: boolean;
  };
  /** `customerEnrollments`: false when the LMS has no edx-enterprise. */
  features?: { customerEnrollments: boolean };
  policy: { maxDurationSeconds: number; defaultDurationSeconds: number; maxReasonLength: number; patterns: string[] };
  now: string;
  flags: FlagInfo[];
  /** `?q=` matched more flags than the answer holds (at most 50). */
  truncated?: boolean;
}

/**
 * `GET flags/`: the flags named (`names`, those of a page) or whose name contains `q` (not both), for the
 * caller, or for another user (`user`, audited by the LMS with the page it was asked from, `fromUrl`).
 */
export interface FlagsQuery {
  names?: string[];
  q?: string;
  user?: string;
  fromUrl?: string;
}

/** The longest `?q=` flag-name search the backend accepts. */
export const MAX_FLAG_SEARCH_LENGTH = 100;

/** Whether `q` can be sent as `GET flags/?q=`: 1-100 characters, no control character. */
export function isFlagSearch(q: unknown): q is string {
  return (
    typeof q === 'string' &&
    q.length > 0 &&
    q.length <= MAX_FLAG_SEARCH_LENGTH &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f-\u009f]/.test(q)
  );
}

export type EnrollmentState = 'live' | 'ended' | 'all';

/** `GET enrollments/`: which enrollments to list. */
export interface EnrollmentFilter {
  flag?: string;
  /** Username or email. */
  user?: string;
  state?: EnrollmentState;
}

export interface EnrollRequest {
  flag: string;
  /** Username or email; absent for "me". */
  user?: string;
  durationSeconds: number;
  reason: string;
}

/** The most flag names one `GET flags/?names=` may ask for, and the longest name (waffle's `Flag.name`). */
export const MAX_FLAG_NAMES = 200;
export const MAX_FLAG_NAME_LENGTH = 100;

/** Whether `name` can be asked for by `?names=` (comma-separated, so no comma; no control character). */
export function isAskableFlagName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= MAX_FLAG_NAME_LENGTH &&
    // eslint-disable-next-line no-control-regex
    !/[,\u0000-\u001f\u007f-\u009f]/.test(name)
  );
}

/** The JSON body of a POST enrollments/. */
export function enrollBody(request: EnrollRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    flag: request.flag,
    duration: request.durationSeconds,
    reason: request.reason,
  };
  if (request.user) body['user'] = request.user;
  return body;
}

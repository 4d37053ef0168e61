// The enrollment API of the backend (`backend/waffle_enrollments`, docs/api/openapi.yaml) as the extension
// uses it: where it is, what it answers with (after `backend-answers.ts` has checked it), what may be asked.
// Pure: no fetch, no extension API.
import type { CustomerRef, MyCustomerEnrollment } from './customers';

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
  permissions: { canEnrollSelf: boolean; canEnrollOthers: boolean; canEnrollCustomers?: boolean };
  /** `customerEnrollments`: false when the LMS has no edx-enterprise. */
  features?: { customerEnrollments: boolean };
  policy: { maxDurationSeconds: number; defaultDurationSeconds: number; maxReasonLength: number; patterns: string[] };
  now: string;
  flags: FlagInfo[];
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

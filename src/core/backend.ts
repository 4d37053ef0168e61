// The enrollment API of the backend (`backend/waffle_enrollments`, docs/api/openapi.yaml), as the
// extension sees it: the operations, the shapes it answers with (checked, never trusted blindly), the
// one error type, and the sentences a person reads. Pure: no fetch, no extension API.

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
}

export interface FlagsResponse {
  user: UserRef;
  permissions: { canEnrollSelf: boolean; canEnrollOthers: boolean };
  policy: { maxDurationSeconds: number; defaultDurationSeconds: number; maxReasonLength: number; patterns: string[] };
  now: string;
  flags: FlagInfo[];
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

/** What the popup may ask the backend to do. The content script builds each URL from these alone. */
export type BackendOp =
  /** Every visible flag, or only those named (`?names=`; unknown names are simply absent). */
  | { op: 'flags'; names?: string[] }
  | { op: 'enroll'; request: EnrollRequest }
  | { op: 'enrollments'; flag?: string; user?: string; state?: 'live' | 'ended' | 'all' }
  | { op: 'revoke'; id: number };

export type BackendErrorKind = 'http' | 'network' | 'not-installed' | 'bad-response' | 'no-portal';

/** The one error: serialisable, so it crosses from the content script to the popup unchanged. */
export interface BackendError {
  kind: BackendErrorKind;
  /** HTTP status, or 0 when there was no HTTP answer. */
  status: number;
  /** The backend's `detail`, or our own words when there was none. */
  detail: string;
  /** Per-field messages of a 400. */
  fields: Record<string, string>;
  /** The LMS the request went to. */
  lms: string;
}

export type BackendResult<T> = { ok: true; data: T } | { ok: false; error: BackendError };

// ---- checking answers ---------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 500): string => (typeof v === 'string' ? v.slice(0, max) : '');
const bool = (v: unknown): boolean => v === true;

class Invalid extends Error {}

function need<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Invalid(what);
  return value;
}

function userRef(v: unknown): UserRef | null {
  if (!isObj(v) || typeof v['id'] !== 'number' || typeof v['username'] !== 'string') return null;
  return { id: v['id'], username: str(v['username'], 150), email: str(v['email'], 254) };
}

export function parseEnrollment(v: unknown): Enrollment | null {
  if (!isObj(v) || typeof v['id'] !== 'number' || typeof v['flag'] !== 'string') return null;
  const user = userRef(v['user']);
  const expiresAt = str(v['expires_at'], 40);
  if (!user || !expiresAt) return null;
  const endReason = v['end_reason'] === 'revoked' || v['end_reason'] === 'expired' ? v['end_reason'] : null;
  return {
    id: v['id'],
    flag: str(v['flag'], 100),
    user,
    createdBy: userRef(v['created_by']),
    reason: str(v['reason'], 1000),
    createdAt: str(v['created_at'], 40),
    expiresAt,
    endedAt: typeof v['ended_at'] === 'string' ? v['ended_at'].slice(0, 40) : null,
    endReason,
    endedBy: userRef(v['ended_by']),
    preexistingMembership: bool(v['preexisting_membership']),
    state: v['state'] === 'live' ? 'live' : 'ended',
  };
}

function parseFlag(v: unknown): FlagInfo | null {
  if (!isObj(v) || typeof v['name'] !== 'string' || !isObj(v['criteria'])) return null;
  const c = v['criteria'];
  const me = isObj(v['me']) ? v['me'] : {};
  return {
    name: str(v['name'], 100),
    note: str(v['note'], 1000),
    criteria: {
      everyone: c['everyone'] === true ? true : c['everyone'] === false ? false : null,
      percent: typeof c['percent'] === 'number' ? c['percent'] : null,
      testing: bool(c['testing']),
      superusers: bool(c['superusers']),
      staff: bool(c['staff']),
      authenticated: bool(c['authenticated']),
      groups: Array.isArray(c['groups'])
        ? c['groups'].filter((g): g is string => typeof g === 'string').slice(0, 50)
        : [],
      userCount: typeof c['user_count'] === 'number' ? c['user_count'] : 0,
    },
    activeForMe: bool(v['active_for_me']),
    enrollable: bool(v['enrollable']),
    notEnrollableReason:
      typeof v['not_enrollable_reason'] === 'string' ? v['not_enrollable_reason'].slice(0, 300) : null,
    myEnrollment: v['my_enrollment'] ? parseEnrollment(v['my_enrollment']) : null,
    listed: typeof me['listed'] === 'boolean' ? me['listed'] : null,
    myGroups: Array.isArray(me['groups'])
      ? me['groups'].filter((g): g is string => typeof g === 'string').slice(0, 50)
      : [],
  };
}

/** Checks a GET flags/ answer; throws an Error saying what is wrong with it. */
export function parseFlagsResponse(v: unknown): FlagsResponse {
  try {
    if (!isObj(v)) throw new Invalid('the answer is not a JSON object');
    const perms = need(isObj(v['permissions']) ? v['permissions'] : null, 'no "permissions"');
    const policy = need(isObj(v['policy']) ? v['policy'] : null, 'no "policy"');
    const flags = need(Array.isArray(v['flags']) ? v['flags'] : null, 'no "flags" list');
    const maxDuration = policy['max_duration_seconds'];
    return {
      user: need(userRef(v['user']), 'no "user"'),
      permissions: { canEnrollSelf: bool(perms['can_enroll_self']), canEnrollOthers: bool(perms['can_enroll_others']) },
      policy: {
        maxDurationSeconds: need(
          typeof maxDuration === 'number' && maxDuration > 0 ? maxDuration : null,
          'no maximum duration',
        ),
        defaultDurationSeconds:
          typeof policy['default_duration_seconds'] === 'number' ? policy['default_duration_seconds'] : 3600,
        maxReasonLength: typeof policy['max_reason_length'] === 'number' ? policy['max_reason_length'] : 500,
        patterns: Array.isArray(policy['enrollable_patterns'])
          ? policy['enrollable_patterns'].filter((p): p is string => typeof p === 'string')
          : [],
      },
      now: str(v['now'], 40),
      flags: flags
        .slice(0, 2000)
        .map(parseFlag)
        .filter((f): f is FlagInfo => f !== null),
    };
  } catch (e) {
    throw new Error(
      `The LMS answered GET flags/ with an unexpected shape: ${e instanceof Error ? e.message : String(e)}.`,
    );
  }
}

export function parseEnrollmentList(v: unknown): Enrollment[] {
  const list = isObj(v) && Array.isArray(v['results']) ? v['results'] : Array.isArray(v) ? v : null;
  if (!list) throw new Error('The LMS answered GET enrollments/ with an unexpected shape: no "results" list.');
  return list.map(parseEnrollment).filter((e): e is Enrollment => e !== null);
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

/** Checks an operation that arrived by message: only these shapes, only these types. */
export function validOp(value: unknown): BackendOp | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const short = (s: unknown, max: number) => typeof s === 'string' && s.length > 0 && s.length <= max;
  switch (v['op']) {
    case 'flags': {
      if (v['names'] === undefined) return { op: 'flags' };
      const names = v['names'];
      if (!Array.isArray(names) || names.length > MAX_FLAG_NAMES) return null;
      if (!names.every(isAskableFlagName)) return null;
      return { op: 'flags', names: [...names] };
    }
    case 'revoke':
      return typeof v['id'] === 'number' && Number.isInteger(v['id']) && v['id'] > 0
        ? { op: 'revoke', id: v['id'] }
        : null;
    case 'enrollments': {
      const op: BackendOp = { op: 'enrollments' };
      if (v['flag'] !== undefined) {
        if (!short(v['flag'], 100)) return null;
        op.flag = v['flag'] as string;
      }
      if (v['user'] !== undefined) {
        if (!short(v['user'], 254)) return null;
        op.user = v['user'] as string;
      }
      if (v['state'] !== undefined) {
        if (v['state'] !== 'live' && v['state'] !== 'ended' && v['state'] !== 'all') return null;
        op.state = v['state'];
      }
      return op;
    }
    case 'enroll': {
      const r = v['request'];
      if (typeof r !== 'object' || r === null) return null;
      const q = r as Record<string, unknown>;
      if (!short(q['flag'], 100) || !short(q['reason'], 2000)) return null;
      if (typeof q['durationSeconds'] !== 'number' || !Number.isFinite(q['durationSeconds'])) return null;
      if (q['user'] !== undefined && !short(q['user'], 254)) return null;
      return {
        op: 'enroll',
        request: {
          flag: q['flag'] as string,
          reason: q['reason'] as string,
          durationSeconds: q['durationSeconds'],
          ...(q['user'] !== undefined ? { user: q['user'] as string } : {}),
        },
      };
    }
    default:
      return null;
  }
}

// ---- words for people ---------------------------------------------------------------------------

/** The sentence the popup shows for a failed call: what happened, and what to do next. */
export function describeBackendError(error: BackendError): string {
  const lms = error.lms || 'the LMS';
  const detail = error.detail.trim();
  const said = detail ? ` The LMS says: “${detail}”` : '';
  switch (error.kind) {
    case 'no-portal':
      return `This tab is not a portal page of a known environment, so there is no LMS to ask. Open the learner or admin portal and try again.`;
    case 'network':
      return `Could not reach ${lms}: it is down, unreachable from this network, or refused this portal's origin (CORS). Check that you can open ${lms} in a tab, then try again.`;
    case 'not-installed':
      return `${lms} has no Waffle enrollment API (HTTP 404 at ${API_PREFIX}): the waffle_enrollments plugin is not installed there. Ask the LMS operators to install it (see backend/README.md).`;
    case 'bad-response':
      return `${lms} answered in a way Waffle Inspector does not understand: ${detail || 'not the expected JSON'}. Is the waffle_enrollments plugin the same version as the extension?`;
    case 'http':
      break;
  }
  switch (error.status) {
    case 401:
      return `You are not signed in to ${lms}, or your session expired. Sign in at ${lms}/login, then reload the portal.${said}`;
    case 403:
      return `Not allowed.${said || ' The LMS refused this action for your account.'}`;
    case 404:
      return `Not found.${said || ' The flag, user or enrollment does not exist.'}`;
    case 409:
      return `Conflict.${said || ' An enrollment like this already exists, or another change happened at the same time: refresh and try again.'}`;
    case 400: {
      const fields = Object.entries(error.fields).map(([f, m]) => `${f}: ${m}`);
      return `The request was not accepted: ${fields.length ? fields.join('; ') : detail || 'invalid input'}.`;
    }
    case 413:
      return `The request was too large.${said}`;
    case 429:
      return `Too many requests: wait a moment and try again.${said}`;
    default:
      return error.status >= 500
        ? `${lms} failed with HTTP ${error.status}. Try again; if it persists, tell the LMS operators.${said}`
        : `${lms} answered HTTP ${error.status}.${said}`;
  }
}

/** Why a flag is on or off for the caller, in short phrases, most decisive first. */
export function whyOnOff(flag: FlagInfo, now: number): string[] {
  const c = flag.criteria;
  const reasons: string[] = [];
  const e = flag.myEnrollment;
  if (e && e.state === 'live') reasons.push(`your enrollment (${timeLeft(e.expiresAt, now)} left)`);
  if (c.everyone === true) reasons.push('everyone');
  if (c.everyone === false) reasons.push('off for everyone');
  if (c.everyone === null) {
    // An enrollment lists you; say "listed" only when you were listed before (or otherwise).
    if (flag.listed && !(e && e.state === 'live' && !e.preexistingMembership)) reasons.push('you are listed');
    if (flag.myGroups.length) reasons.push(`your groups: ${flag.myGroups.join(', ')}`);
    else if (c.groups.length) reasons.push(`groups: ${c.groups.join(', ')}`);
    if (c.superusers) reasons.push('superusers');
    if (c.staff) reasons.push('staff');
    if (c.authenticated) reasons.push('authenticated');
    if (c.percent !== null && c.percent > 0) reasons.push(`${c.percent}%`);
    if (c.testing) reasons.push('testing (dwft_ cookie/param)');
    if (c.userCount > 0 && !flag.listed) reasons.push(`${c.userCount} listed user${c.userCount === 1 ? '' : 's'}`);
  }
  if (reasons.length === 0) reasons.push('nobody (no criteria set)');
  return reasons;
}

/** "2h 05m", "4m 10s", "expired". */
export function timeLeft(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${String(h).padStart(2, '0')}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

/** "15 minutes", "8 hours", "1 day", "36 hours", "90 seconds". */
export function durationLabel(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds % 86400 === 0) return unit(seconds / 86400, 'day');
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** Duration choices up to the server's maximum, always with the server's default and the maximum. */
export function durationPresets(maxSeconds: number, defaultSeconds?: number): { seconds: number; label: string }[] {
  const wanted = new Set([15 * 60, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400, maxSeconds]);
  if (defaultSeconds !== undefined && defaultSeconds > 0 && defaultSeconds <= maxSeconds) wanted.add(defaultSeconds);
  return [...wanted]
    .filter((s) => s > 0 && s <= maxSeconds)
    .sort((a, b) => a - b)
    .map((seconds) => ({
      seconds,
      label:
        durationLabel(seconds) +
        (seconds === defaultSeconds ? ' (default)' : seconds === maxSeconds ? ' (longest allowed)' : ''),
    }));
}

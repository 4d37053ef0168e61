// Checks the enrollment API's answers: only the expected shapes, each field typed and size-capped, never
// trusted blindly. A missing part the popup needs is an Error that says what is wrong.
import type { Enrollment, FlagInfo, FlagsResponse, UserRef } from './backend-api';
import { parseCustomerList, parseMyCustomerEnrollments } from './customers';
import { parseSubject } from './subject';

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
    undecided: v['active_for_me'] === null,
    enrollable: bool(v['enrollable']),
    notEnrollableReason:
      typeof v['not_enrollable_reason'] === 'string' ? v['not_enrollable_reason'].slice(0, 300) : null,
    myEnrollment: v['my_enrollment'] ? parseEnrollment(v['my_enrollment']) : null,
    customers: parseCustomerList(c['customers']),
    myCustomers: parseMyCustomerEnrollments(me['customers']),
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
      subject: parseSubject(v['subject']),
      permissions: {
        canEnrollSelf: bool(perms['can_enroll_self']),
        canEnrollOthers: bool(perms['can_enroll_others']),
        canEnrollCustomers: bool(perms['can_enroll_customers']),
        canViewOthers: bool(perms['can_view_others']),
      },
      features: {
        customerEnrollments: isObj(v['features']) && bool(v['features']['customer_enrollments']),
      },
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
      truncated: bool(v['truncated']),
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

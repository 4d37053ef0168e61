// Answers of the enrollment API as the LMS sends them (snake_case JSON, docs/api/openapi.yaml and
// CONTRACT), for tests: built here, then read through the extension's own parsers, so that a test
// exercises the same checks as the popup. Only tests import this file.
import type { Enrollment, FlagInfo, FlagsResponse } from '../src/core/backend-api';
import { parseEnrollment, parseFlagsResponse } from '../src/core/backend-answers';
import { randomInt, randomToken } from './random';

export type Json = Record<string, unknown>;

export const NOW = Date.UTC(2026, 10, 26, 10, 0, 0);
/** Six random letters and digits, from the run's seeded generator (test/random.ts). */
export const rand = (): string => randomToken(6);

export const CUSTOMER_A = {
  uuid: '8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60',
  name: 'Test Enterprise',
  slug: 'test-enterprise',
};
export const CUSTOMER_B = {
  uuid: '5b0e7c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c',
  name: 'Second Enterprise',
  slug: 'second-enterprise',
};

export function criteria(over: Json = {}): Json {
  return {
    everyone: null,
    percent: null,
    testing: false,
    superusers: false,
    staff: false,
    authenticated: false,
    groups: [],
    user_count: 0,
    customers: [],
    ...over,
  };
}

/** One flag of `GET flags/`; `on` is `active_for_me` (null: undecided). */
export function flagJson(name: string, on: boolean | null, over: Json = {}): Json {
  return {
    name,
    note: '',
    criteria: criteria(),
    active_for_me: on,
    enrollable: true,
    not_enrollable_reason: null,
    my_enrollment: null,
    me: { listed: false, groups: [], customers: [] },
    ...over,
  };
}

export function enrollmentJson(flag: string, username: string, over: Json = {}): Json {
  const user = { id: 40, username, email: `${username}@example.com` };
  return {
    id: randomInt(1, 100_001),
    flag,
    user,
    created_by: user,
    reason: 'SUP-1',
    created_at: new Date(NOW).toISOString(),
    expires_at: new Date(NOW + 2 * 3600_000 + 5 * 60_000).toISOString(),
    ended_at: null,
    end_reason: null,
    ended_by: null,
    preexisting_membership: false,
    state: 'live',
    ...over,
  };
}

export function subjectJson(username: string, over: Json = {}): Json {
  return {
    id: randomInt(7, 1007),
    username,
    email: `${username}@example.com`,
    is_active: true,
    is_staff: false,
    is_superuser: false,
    enterprise_customers: [],
    ...over,
  };
}

export interface AnswerOptions {
  caller?: string;
  subject?: Json | null;
  permissions?: Json;
  truncated?: boolean;
}

/** A whole `GET flags/` answer, as JSON. */
export function flagsJson(flags: Json[], o: AnswerOptions = {}): Json {
  const caller = o.caller ?? 'support';
  return {
    user: { id: 3, username: caller, email: `${caller}@example.com` },
    ...(o.subject === null ? {} : { subject: o.subject ?? subjectJson(caller, { is_staff: true }) }),
    permissions: {
      can_enroll_self: true,
      can_enroll_others: true,
      can_view_others: true,
      can_enroll_customers: false,
      ...o.permissions,
    },
    features: { customer_enrollments: true },
    policy: {
      max_duration_seconds: 7 * 86400,
      default_duration_seconds: 8 * 3600,
      max_reason_length: 500,
      enrollable_patterns: ['enterprise.*'],
    },
    now: new Date(NOW).toISOString(),
    flags,
    ...(o.truncated === undefined ? {} : { truncated: o.truncated }),
  };
}

/** The same answer, read as the popup reads it. */
export function flagsAnswer(flags: Json[], o: AnswerOptions = {}): FlagsResponse {
  return parseFlagsResponse(flagsJson(flags, o));
}

/** One flag as the popup holds it: `flagJson(name, on, over)` read through the popup's own parser. */
export function flagInfo(name: string, on: boolean | null = false, over: Json = {}): FlagInfo {
  return flagsAnswer([flagJson(name, on, over)]).flags[0]!;
}

/** One enrollment as the popup holds it: `enrollmentJson(flag, username, over)` read through its parser. */
export function enrollmentInfo(flag: string, username = 'staff', over: Json = {}): Enrollment {
  const parsed = parseEnrollment(enrollmentJson(flag, username, over));
  if (parsed === null) throw new Error(`not an enrollment: ${JSON.stringify(over)}`);
  return parsed;
}

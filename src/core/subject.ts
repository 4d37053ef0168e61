// Looking at another user's flags (support agents, `view_others`): whom an answer describes, the
// suggestions of `GET users/?q=`, the agent's own recent lookups (`GET lookups/`), and the checks on
// the operations that ask for them. Every answer is checked field by field and capped; nothing is
// trusted blindly, and nothing here is stored: a lookup lives only as long as the popup.
import type { UserRef } from './backend-api';
import { parseCustomerRef, type CustomerRef } from './customers';

export interface SubjectCustomer extends CustomerRef {
  active: boolean;
}

/** Whom the per-flag answers of `GET flags/` describe (the caller, or the user of `?user=`). */
export interface Subject {
  id: number;
  username: string;
  email: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  enterpriseCustomers: SubjectCustomer[];
}

export interface Lookup {
  id: number;
  at: string;
  subject: UserRef;
  fromUrl: string;
}

export const MIN_USER_SEARCH = 2;
export const MAX_USER_VALUE = 254;
export const MAX_FROM_URL = 500;
export const MAX_LOOKUPS = 50;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');

function userRef(v: unknown): UserRef | null {
  if (!isObj(v) || typeof v['id'] !== 'number' || typeof v['username'] !== 'string') return null;
  return { id: v['id'], username: str(v['username'], 150), email: str(v['email'], 254) };
}

/** The `subject` of a `GET flags/` answer; null when there is none (a backend before `?user=`). */
export function parseSubject(v: unknown): Subject | null {
  const ref = userRef(v);
  if (!ref || !isObj(v)) return null;
  const customers = Array.isArray(v['enterprise_customers']) ? v['enterprise_customers'].slice(0, 50) : [];
  return {
    ...ref,
    isActive: v['is_active'] === true,
    isStaff: v['is_staff'] === true,
    isSuperuser: v['is_superuser'] === true,
    enterpriseCustomers: customers.flatMap((c) => {
      const customer = parseCustomerRef(c);
      return customer && isObj(c) ? [{ ...customer, active: c['active'] === true }] : [];
    }),
  };
}

function resultsOf(v: unknown, what: string): unknown[] {
  if (!isObj(v) || !Array.isArray(v['results']))
    throw new Error(`The LMS answered ${what} with an unexpected shape: no "results" list.`);
  return v['results'];
}

/** `GET users/?q=`: at most 10 suggestions, whatever the answer holds. */
export function parseUserSuggestions(v: unknown): UserRef[] {
  return resultsOf(v, 'GET users/')
    .slice(0, 100)
    .map(userRef)
    .filter((u): u is UserRef => u !== null)
    .slice(0, 10);
}

/** `GET lookups/`: the caller's own recent lookups, newest first. */
export function parseLookups(v: unknown): Lookup[] {
  const out: Lookup[] = [];
  for (const item of resultsOf(v, 'GET lookups/').slice(0, MAX_LOOKUPS)) {
    if (!isObj(item) || typeof item['id'] !== 'number') continue;
    // A user deleted since the lookup keeps their name in the audit entry, with no id.
    const raw = item['subject'];
    const subject = userRef(isObj(raw) && raw['id'] === null ? { ...raw, id: 0 } : raw);
    if (!subject) continue;
    out.push({ id: item['id'], at: str(item['at'], 40), subject, fromUrl: str(item['from_url'], MAX_FROM_URL) });
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A username or email as `?user=` takes it: 1-254 characters, no control character, no surrounding space. */
export function validUserValue(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_USER_VALUE && v.trim() === v && !CONTROL.test(v);
}

/** The portal page a lookup is made from (`from_url`): an http(s) URL of at most 500 characters. */
export function validFromUrl(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_FROM_URL && /^https?:\/\/[^\s]+$/.test(v) && !CONTROL.test(v);
}

/**
 * The page URL to send as `from_url`: as it is when it fits, else its origin and path (the query is
 * what makes URLs long), cut at 500 characters; null for anything but an http(s) page.
 */
export function fromUrlFor(pageUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const full = url.href;
  const value = full.length <= MAX_FROM_URL ? full : `${url.origin}${url.pathname}`.slice(0, MAX_FROM_URL);
  return validFromUrl(value) ? value : null;
}

/** The query of `GET users/?q=`: the start of a username or email, 2-254 characters. */
export function isUserSearch(q: unknown): q is string {
  return typeof q === 'string' && q.length >= MIN_USER_SEARCH && validUserValue(q);
}

/** `GET lookups/?limit=`: a whole number from 1 to 50. */
export function isLookupLimit(limit: unknown): limit is number {
  return typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= MAX_LOOKUPS;
}

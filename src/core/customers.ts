// Customer enrollments (docs/api/openapi.yaml, `customer-enrollments/`): a flag on for every learner of
// one enterprise customer, through a group the backend owns. The shapes the backend answers with
// (checked, never trusted blindly), the operations the popup may ask for, and the words people read.
// Pure: no fetch, no extension API.

export interface CustomerRef {
  uuid: string;
  name: string;
  slug: string;
}

/** A live customer enrollment of a flag whose customer the user is linked to (`me.customers`). */
export interface MyCustomerEnrollment {
  id: number;
  customer: CustomerRef;
  expiresAt: string;
}

export interface CustomerEnrollment {
  id: number;
  flag: string;
  customer: CustomerRef;
  learnerCount: number;
  createdBy: string | null;
  reason: string;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
  endReason: 'revoked' | 'expired' | null;
  state: 'live' | 'ended';
}

/** `GET enterprise-customers/<uuid or slug>/`: whom "Enable for …" would turn a flag on for. */
export interface EnterpriseCustomerInfo extends CustomerRef {
  learnerCount: number;
  /** The longest and the default customer enrollment, when the LMS says. */
  maxDurationSeconds: number | null;
  defaultDurationSeconds: number | null;
}

export interface CustomerEnrollRequest {
  flag: string;
  /** The customer's uuid. */
  customer: string;
  durationSeconds: number;
  reason: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function parseCustomerRef(v: unknown): CustomerRef | null {
  if (!isObj(v) || typeof v['uuid'] !== 'string' || !UUID.test(v['uuid'])) return null;
  return { uuid: v['uuid'].toLowerCase(), name: str(v['name'], 255), slug: str(v['slug'], 255) };
}

/** `criteria.customers` of a flag: the customers with a live enrollment in it. */
export function parseCustomerList(v: unknown): CustomerRef[] {
  return Array.isArray(v)
    ? v
        .slice(0, 100)
        .map(parseCustomerRef)
        .filter((c): c is CustomerRef => c !== null)
    : [];
}

/** `me.customers` of a flag. */
export function parseMyCustomerEnrollments(v: unknown): MyCustomerEnrollment[] {
  if (!Array.isArray(v)) return [];
  const out: MyCustomerEnrollment[] = [];
  for (const item of v.slice(0, 100)) {
    if (!isObj(item) || typeof item['id'] !== 'number') continue;
    const customer = parseCustomerRef(item['enterprise_customer']);
    const expiresAt = str(item['expires_at'], 40);
    if (customer && expiresAt) out.push({ id: item['id'], customer, expiresAt });
  }
  return out;
}

export function parseCustomerEnrollment(v: unknown): CustomerEnrollment | null {
  if (!isObj(v) || typeof v['id'] !== 'number' || typeof v['flag'] !== 'string') return null;
  const customer = parseCustomerRef(v['enterprise_customer']);
  const expiresAt = str(v['expires_at'], 40);
  if (!customer || !expiresAt) return null;
  const createdBy = isObj(v['created_by']) ? str(v['created_by']['username'], 150) || null : null;
  return {
    id: v['id'],
    flag: str(v['flag'], 100),
    customer,
    learnerCount: typeof v['learner_count'] === 'number' ? v['learner_count'] : 0,
    createdBy,
    reason: str(v['reason'], 1000),
    createdAt: str(v['created_at'], 40),
    expiresAt,
    endedAt: typeof v['ended_at'] === 'string' ? v['ended_at'].slice(0, 40) : null,
    endReason: v['end_reason'] === 'revoked' || v['end_reason'] === 'expired' ? v['end_reason'] : null,
    state: v['state'] === 'live' ? 'live' : 'ended',
  };
}

export function parseCustomerEnrollmentList(v: unknown): CustomerEnrollment[] {
  if (!isObj(v) || !Array.isArray(v['results'])) {
    throw new Error('The LMS answered GET customer-enrollments/ with an unexpected shape: no "results" list.');
  }
  return v['results']
    .slice(0, 200)
    .map(parseCustomerEnrollment)
    .filter((e): e is CustomerEnrollment => e !== null);
}

export function parseEnterpriseCustomerInfo(v: unknown): EnterpriseCustomerInfo {
  const ref = parseCustomerRef(v);
  if (!ref || !isObj(v) || typeof v['learner_count'] !== 'number') {
    throw new Error('The LMS answered GET enterprise-customers/ with an unexpected shape.');
  }
  const seconds = (x: unknown) => (typeof x === 'number' && x > 0 ? x : null);
  return {
    ...ref,
    learnerCount: v['learner_count'],
    maxDurationSeconds: seconds(v['max_duration_seconds']),
    defaultDurationSeconds: seconds(v['default_duration_seconds']),
  };
}

/** The JSON body of a POST customer-enrollments/. */
export function customerEnrollBody(request: CustomerEnrollRequest): Record<string, unknown> {
  return {
    flag: request.flag,
    enterprise_customer: request.customer,
    duration: request.durationSeconds,
    reason: request.reason,
  };
}

/** Whether `value` is a customer uuid (with or without dashes). */
export function isCustomerUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** "your enterprise Test Enterprise (until …)" for each of the user's customers enrolled in a flag. */
export function customerReasons(mine: readonly MyCustomerEnrollment[], left: (iso: string) => string): string[] {
  return mine.map((e) => `your enterprise ${e.customer.name || e.customer.slug} (${left(e.expiresAt)} left)`);
}

/** "2 learners", "1 learner". */
export function learners(n: number): string {
  return `${n} learner${n === 1 ? '' : 's'}`;
}

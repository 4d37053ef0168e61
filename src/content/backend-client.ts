// The one module that talks to the enrollment backend. It runs in the portal's content script, so
// requests leave from the portal's origin with the user's own LMS cookies, exactly as the portal's
// own calls do (CORS and CSRF as usual) — never from the page's world, never with a stored token.
// The LMS is the one the page itself calls (core/page-services.ts), never one named by the message
// that asks. It never signs the user out: an LMS's 401 answer to `/login_refresh` deletes the JWT
// cookies, which on `localhost` every port shares, so the refresh is asked for only when the page's
// own JWT cookie has expired (then the portal would refresh it too), and only from the page's LMS.
import {
  API_PREFIX,
  CSRF_PATH,
  enrollBody,
  REFRESH_PATH,
  type EnrollRequest,
  type Enrollment,
  type EnrollmentFilter,
  type FlagsQuery,
  type FlagsResponse,
  type UserRef,
} from '../core/backend-api';
import { parseEnrollment, parseEnrollmentList, parseFlagsResponse } from '../core/backend-answers';
import { failed, type BackendAnswer } from '../core/backend-error';
import {
  customerEnrollBody,
  parseCustomerEnrollment,
  parseCustomerEnrollmentList,
  parseEnterpriseCustomerInfo,
  type CustomerEnrollRequest,
  type CustomerEnrollment,
  type EnterpriseCustomerInfo,
} from '../core/customers';
import { parseLookups, parseUserSuggestions, type Lookup } from '../core/subject';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** One request to the API and how to read its answer. */
interface Call<T> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** Whether a 404 means "this LMS has no enrollment API" rather than "that thing does not exist". */
  notFoundMeansMissingApi: boolean;
  parse: (json: unknown) => T;
}

function enrollmentIn(json: unknown, what: string): Enrollment {
  const e = parseEnrollment(json);
  if (!e) throw new Error(`${what} is not in the expected shape`);
  return e;
}

function customerEnrollmentIn(json: unknown, what: string): CustomerEnrollment {
  const e = parseCustomerEnrollment(json);
  if (!e) throw new Error(`${what} is not in the expected shape`);
  return e;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length > 5_000_000) throw new Error('the answer is over 5 MB');
  return text ? (JSON.parse(text) as unknown) : null;
}

/** A 400's per-field messages, from DRF's `{field: ["msg"]}` or our `{errors: {field: "msg"}}`. */
function fieldErrors(json: unknown): Record<string, string> {
  if (typeof json !== 'object' || json === null) return {};
  const source = (json as Record<string, unknown>)['errors'] ?? json;
  if (typeof source !== 'object' || source === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    if (k === 'detail') continue;
    const msg = Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(' ') : typeof v === 'string' ? v : '';
    if (msg) out[k.slice(0, 64)] = msg.slice(0, 300);
  }
  return out;
}

/** Requests to the enrollment API of one LMS; every answer is data or the one error, never a throw. */
export class BackendClient {
  /**
   * @param lms the origin of the LMS the page calls
   * @param jwtCookieExpired whether the page's own JWT cookie is there and expired: the one case in
   *   which a 401 is answered with `POST /login_refresh` and one retry
   */
  constructor(
    private readonly lms: string,
    private readonly fetchFn: FetchLike,
    private readonly jwtCookieExpired: () => boolean,
  ) {}

  private request(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Response> {
    return this.fetchFn(`${this.lms}${path}`, {
      method,
      credentials: 'include',
      mode: 'cors',
      cache: 'no-store',
      redirect: 'error',
      headers: { Accept: 'application/json', ...headers },
      body,
    });
  }

  private async csrfToken(): Promise<string> {
    const response = await this.request('GET', CSRF_PATH);
    if (!response.ok) throw new Error(`GET ${CSRF_PATH} answered HTTP ${response.status}`);
    const json = await readJson(response);
    const token = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['csrfToken'] : null;
    if (typeof token !== 'string' || !token) throw new Error(`GET ${CSRF_PATH} gave no csrfToken`);
    return token;
  }

  /** Asks the LMS to refresh an expired JWT cookie, as the portals do; true when it did. */
  private async refreshed(): Promise<boolean> {
    try {
      const response = await this.request('POST', REFRESH_PATH, {
        'X-CSRFToken': await this.csrfToken().catch(() => ''),
      });
      return response.ok;
    } catch {
      return false;
    }
  }

  private async send(call: Call<unknown>): Promise<Response> {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (call.method !== 'GET') headers['X-CSRFToken'] = await this.csrfToken();
    if (call.body) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    return this.request(call.method, call.path, headers, body);
  }

  /**
   * Every visible flag, or only those named: `?names=a,b` (an empty list asks for none; the rest of the
   * answer stays); or those whose name contains `q`. With `user`, evaluated for that user (`from_url`:
   * the page the lookup is made from, for the LMS's audit log).
   */
  flags(names?: string[], about: Omit<FlagsQuery, 'names'> = {}): Promise<BackendAnswer<FlagsResponse>> {
    const q = new URLSearchParams();
    if (names) q.set('names', names.join(','));
    if (about.q !== undefined) q.set('q', about.q);
    if (about.user !== undefined) q.set('user', about.user);
    if (about.fromUrl !== undefined) q.set('from_url', about.fromUrl);
    const query = q.toString();
    return this.call({
      method: 'GET',
      path: `${API_PREFIX}flags/${query ? `?${query}` : ''}`,
      // With `?user=`, the LMS's 404 sentence says that user does not exist.
      notFoundMeansMissingApi: about.user === undefined,
      parse: parseFlagsResponse,
    });
  }

  /** Up to 10 active users whose username or email starts with `q`. */
  users(q: string): Promise<BackendAnswer<UserRef[]>> {
    return this.call({
      method: 'GET',
      path: `${API_PREFIX}users/?${new URLSearchParams({ q }).toString()}`,
      notFoundMeansMissingApi: false,
      parse: parseUserSuggestions,
    });
  }

  /** The caller's own recent lookups of other users. */
  lookups(limit = 20): Promise<BackendAnswer<Lookup[]>> {
    return this.call({
      method: 'GET',
      path: `${API_PREFIX}lookups/?limit=${limit}`,
      notFoundMeansMissingApi: false,
      parse: parseLookups,
    });
  }

  enroll(request: EnrollRequest): Promise<BackendAnswer<Enrollment>> {
    return this.call({
      method: 'POST',
      path: `${API_PREFIX}enrollments/`,
      body: enrollBody(request),
      notFoundMeansMissingApi: false,
      parse: (json) => enrollmentIn(json, 'the new enrollment'),
    });
  }

  enrollments(filter: EnrollmentFilter): Promise<BackendAnswer<Enrollment[]>> {
    const q = new URLSearchParams();
    if (filter.flag) q.set('flag', filter.flag);
    if (filter.user) q.set('user', filter.user);
    if (filter.state) q.set('state', filter.state);
    const query = q.toString();
    return this.call({
      method: 'GET',
      path: `${API_PREFIX}enrollments/${query ? `?${query}` : ''}`,
      notFoundMeansMissingApi: false,
      parse: parseEnrollmentList,
    });
  }

  revoke(id: number): Promise<BackendAnswer<Enrollment>> {
    return this.call({
      method: 'DELETE',
      path: `${API_PREFIX}enrollments/${id}/`,
      notFoundMeansMissingApi: false,
      parse: (json) => enrollmentIn(json, 'the ended enrollment'),
    });
  }

  /** An enterprise customer and its learner count (`enterprise-customers/<uuid>/`). */
  customer(uuid: string): Promise<BackendAnswer<EnterpriseCustomerInfo>> {
    return this.call({
      method: 'GET',
      path: `${API_PREFIX}enterprise-customers/${encodeURIComponent(uuid)}/`,
      notFoundMeansMissingApi: false,
      parse: parseEnterpriseCustomerInfo,
    });
  }

  enrollCustomer(request: CustomerEnrollRequest): Promise<BackendAnswer<CustomerEnrollment>> {
    return this.call({
      method: 'POST',
      path: `${API_PREFIX}customer-enrollments/`,
      body: customerEnrollBody(request),
      notFoundMeansMissingApi: false,
      parse: (json) => customerEnrollmentIn(json, 'the new customer enrollment'),
    });
  }

  /** The 20 most recent customer enrollments (`live`: only those not ended). */
  customerEnrollments(state: 'live' | 'all'): Promise<BackendAnswer<CustomerEnrollment[]>> {
    return this.call({
      method: 'GET',
      path: `${API_PREFIX}customer-enrollments/?${new URLSearchParams({ state, limit: '20' }).toString()}`,
      notFoundMeansMissingApi: false,
      parse: parseCustomerEnrollmentList,
    });
  }

  revokeCustomer(id: number): Promise<BackendAnswer<CustomerEnrollment>> {
    return this.call({
      method: 'DELETE',
      path: `${API_PREFIX}customer-enrollments/${id}/`,
      notFoundMeansMissingApi: false,
      parse: (json) => customerEnrollmentIn(json, 'the ended customer enrollment'),
    });
  }

  private async call<T>(call: Call<T>): Promise<BackendAnswer<T>> {
    let response: Response;
    try {
      response = await this.send(call);
      // The page's JWT expired mid-way: refresh once, as the portal would, then try again. Any other
      // 401 is answered as it is: a refresh there could only end the portal's session.
      if (response.status === 401 && this.jwtCookieExpired() && (await this.refreshed()))
        response = await this.send(call);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return failed('network', /csrf/i.test(message) ? `could not get a CSRF token: ${message}` : message, {
        lms: this.lms,
      });
    }
    let json: unknown = null;
    let unreadable = false;
    try {
      json = await readJson(response);
    } catch {
      unreadable = true;
    }
    const detail =
      typeof json === 'object' && json !== null && typeof (json as Record<string, unknown>)['detail'] === 'string'
        ? ((json as Record<string, unknown>)['detail'] as string)
        : '';
    if (!response.ok) {
      if (response.status === 404 && (call.notFoundMeansMissingApi || unreadable || !detail)) {
        return failed('not-installed', detail, { status: 404, lms: this.lms });
      }
      const fields = response.status === 400 ? fieldErrors(json) : {};
      return failed('http', detail, { status: response.status, fields, lms: this.lms });
    }
    if (unreadable) return failed('bad-response', 'the answer is not JSON', { status: response.status, lms: this.lms });
    try {
      return { ok: true, data: call.parse(json) };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return failed('bad-response', detail, { status: response.status, lms: this.lms });
    }
  }
}

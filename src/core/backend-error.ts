// The one error of a request to the enrollment API, the one way to build it, and the sentence a person
// reads for it. Serialisable: it crosses from the content script to the popup unchanged.
import { API_PREFIX } from './backend-api';

export type BackendErrorKind = 'http' | 'network' | 'not-installed' | 'bad-response' | 'no-portal';

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

/** What a request to the enrollment API gives: its data, or the one error. */
export type BackendAnswer<T> = { ok: true; data: T } | { ok: false; error: BackendError };

/** The failed answer for `kind`; `status` 0 when there was no HTTP answer, `lms` '' when none was asked. */
export function failed(
  kind: BackendErrorKind,
  detail: string,
  { status = 0, fields = {}, lms = '' }: { status?: number; fields?: Record<string, string>; lms?: string } = {},
): { ok: false; error: BackendError } {
  return { ok: false, error: { kind, status, detail: detail.slice(0, 1000), fields, lms } };
}

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

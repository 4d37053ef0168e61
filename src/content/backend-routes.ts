// The popup's requests to the enrollment API, as this content script takes them: each payload checked
// (only these shapes, only these types: it comes from another context), then made by the page's LMS
// client. Pure, so that it is tested in Node; `popup-listener.ts` wires it to the browser.
import {
  isAskableFlagName,
  isFlagSearch,
  MAX_FLAG_NAMES,
  type EnrollmentFilter,
  type FlagsQuery,
} from '../core/backend-api';
import { failed, type BackendAnswer } from '../core/backend-error';
import { isCustomerUuid } from '../core/customers';
import { isLookupLimit, isUserSearch, validFromUrl, validUserValue } from '../core/subject';
import type { PopupToContent, Routes } from '../core/messages';
import type { BackendClient } from './backend-client';

/** The requests a route may make of the page's LMS. */
export type LmsClient = Pick<
  BackendClient,
  | 'flags'
  | 'users'
  | 'lookups'
  | 'enroll'
  | 'enrollments'
  | 'revoke'
  | 'customer'
  | 'enrollCustomer'
  | 'customerEnrollments'
  | 'revokeCustomer'
>;

/** The client for this page's LMS, or null when the page is not a portal of a known environment. */
export type ClientForPage = () => Promise<LmsClient | null>;

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

async function withClient<T>(
  client: ClientForPage,
  ask: (client: LmsClient) => Promise<BackendAnswer<T>>,
): Promise<BackendAnswer<T>> {
  const lms = await client();
  return lms === null ? failed('no-portal', '') : ask(lms);
}

export const backendRoutes: Routes<PopupToContent, ClientForPage> = {
  'backend/flags': {
    check: ({ names, q, user, fromUrl }) => {
      const query: FlagsQuery = {};
      if (names !== undefined) {
        if (!Array.isArray(names) || names.length > MAX_FLAG_NAMES || !names.every(isAskableFlagName)) return null;
        query.names = [...names];
      }
      if (q !== undefined) {
        if (names !== undefined || !isFlagSearch(q)) return null;
        query.q = q;
      }
      if (user !== undefined) {
        if (!validUserValue(user)) return null;
        query.user = user;
      }
      if (fromUrl !== undefined) {
        if (user === undefined || !validFromUrl(fromUrl)) return null;
        query.fromUrl = fromUrl;
      }
      return query;
    },
    handle: (query, client) => withClient(client, (c) => c.flags(query.names, query)),
  },
  'backend/users': {
    check: ({ q }) => (isUserSearch(q) ? { q } : null),
    handle: ({ q }, client) => withClient(client, (c) => c.users(q)),
  },
  'backend/lookups': {
    check: ({ limit }) => (limit === undefined ? {} : isLookupLimit(limit) ? { limit } : null),
    handle: ({ limit }, client) => withClient(client, (c) => c.lookups(limit)),
  },
  'backend/enroll': {
    check: ({ flag, reason, durationSeconds, user }) => {
      if (!isText(flag, 100) || !isText(reason, 2000)) return null;
      if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds)) return null;
      if (user !== undefined && !isText(user, 254)) return null;
      return { flag, reason, durationSeconds, ...(user !== undefined ? { user } : {}) };
    },
    handle: (request, client) => withClient(client, (c) => c.enroll(request)),
  },
  'backend/enrollments': {
    check: ({ flag, user, state }) => {
      const filter: EnrollmentFilter = {};
      if (flag !== undefined) {
        if (!isText(flag, 100)) return null;
        filter.flag = flag;
      }
      if (user !== undefined) {
        if (!isText(user, 254)) return null;
        filter.user = user;
      }
      if (state !== undefined) {
        if (state !== 'live' && state !== 'ended' && state !== 'all') return null;
        filter.state = state;
      }
      return filter;
    },
    handle: (filter, client) => withClient(client, (c) => c.enrollments(filter)),
  },
  'backend/revoke': {
    check: ({ id }) => (typeof id === 'number' && Number.isInteger(id) && id > 0 ? { id } : null),
    handle: ({ id }, client) => withClient(client, (c) => c.revoke(id)),
  },
  'backend/customer': {
    check: ({ customer }) => (isCustomerUuid(customer) ? { customer } : null),
    handle: ({ customer }, client) => withClient(client, (c) => c.customer(customer)),
  },
  'backend/enrollCustomer': {
    check: ({ flag, customer, reason, durationSeconds }) => {
      if (!isText(flag, 100) || !isText(reason, 2000) || !isCustomerUuid(customer)) return null;
      if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds)) return null;
      return { flag, customer, reason, durationSeconds };
    },
    handle: (request, client) => withClient(client, (c) => c.enrollCustomer(request)),
  },
  'backend/customerEnrollments': {
    check: ({ state }) => (state === 'live' || state === 'all' ? { state } : null),
    handle: ({ state }, client) => withClient(client, (c) => c.customerEnrollments(state)),
  },
  'backend/revokeCustomer': {
    check: ({ id }) => (typeof id === 'number' && Number.isInteger(id) && id > 0 ? { id } : null),
    handle: ({ id }, client) => withClient(client, (c) => c.revokeCustomer(id)),
  },
};

// The customer enrollments the popup shows: the page's enterprise customer (how many learners "Enable
// for …" would reach) and the recent customer enrollments. Asked for only when the LMS says this account
// may enroll customers and has edx-enterprise; everyone else never sees or asks for any of it.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { FlagsResponse } from '../../core/backend-api';
import { describeBackendError } from '../../core/backend-error';
import type { CustomerEnrollment, EnterpriseCustomerInfo } from '../../core/customers';
import type { EnterpriseRef } from '../../core/types';
import type { AskBackend } from '../enroll/useEnrollment';

export interface CustomerEnrollments {
  /** Whether the popup offers customer enrollments at all. */
  enabled: boolean;
  ask: AskBackend;
  /** The page's customer as the LMS knows it; null while unknown or when the page names none. */
  customer: EnterpriseCustomerInfo | null;
  /** Why the page's customer could not be read, in words. */
  customerError: string | null;
  /** The most recent customer enrollments, live first. */
  recent: CustomerEnrollment[];
  refresh: () => Promise<void>;
}

export function canEnrollCustomers(data: FlagsResponse | null): boolean {
  return Boolean(data?.permissions.canEnrollCustomers && data.features?.customerEnrollments);
}

export function useCustomerEnrollments(
  ask: AskBackend,
  data: FlagsResponse | null,
  enterprise: EnterpriseRef | null,
): CustomerEnrollments {
  const enabled = canEnrollCustomers(data);
  const uuid = enterprise?.uuid ?? null;
  const [customer, setCustomer] = useState<EnterpriseCustomerInfo | null>(null);
  const [customerError, setCustomerError] = useState<string | null>(null);
  const [recent, setRecent] = useState<CustomerEnrollment[]>([]);
  const [, setTick] = useState(0);
  const asked = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++asked.current; // a late answer must not replace a newer one
    if (!enabled) return;
    const [list, info] = await Promise.all([
      ask('backend/customerEnrollments', { state: 'all' }),
      uuid ? ask('backend/customer', { customer: uuid }) : Promise.resolve(null),
    ]);
    if (mine !== asked.current) return;
    if (list.ok) {
      setRecent([...list.data].sort((a, b) => Number(b.state === 'live') - Number(a.state === 'live') || b.id - a.id));
    }
    if (info === null) {
      setCustomer(null);
      setCustomerError(null);
    } else if (info.ok) {
      setCustomer(info.data);
      setCustomerError(null);
    } else {
      setCustomer(null);
      setCustomerError(describeBackendError(info.error));
    }
  }, [ask, enabled, uuid]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A live customer enrollment shows a countdown: re-render every second while there is one.
  const hasLive = enabled && recent.some((e) => e.state === 'live');
  useEffect(() => {
    if (!hasLive) return undefined;
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [hasLive]);

  return { enabled, ask, customer, customerError, recent, refresh };
}

// "My customer enrollments" under "My enrollments": the recent ones this account made, live first, for
// accounts that may enroll customers.
import { EnrollmentTime } from '../enroll/EnrollmentTime';
import { learners } from '../../core/customers';
import type { CustomerEnrollments } from './useCustomerEnrollments';

export function CustomerEnrollmentList({
  customers,
  username,
  now,
}: {
  customers: CustomerEnrollments;
  username: string;
  now: number;
}) {
  if (!customers.enabled) return null;
  const rows = customers.recent.filter((e) => e.createdBy === username).slice(0, 10);
  return (
    <div class="customer-enrollments" data-testid="customer-enrollments">
      <h3>My customer enrollments</h3>
      {customers.customerError ? (
        <p class="warning" role="alert" data-testid="customer-unreadable">
          {customers.customerError}
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p class="muted" data-testid="customer-enrollments-empty">
          None yet. Use “Enable for …” on a flag of a customer's portal page.
        </p>
      ) : (
        <ul class="my-enrollments">
          {rows.map((e) => (
            <li key={e.id} data-testid="customer-enrollment" data-flag={e.flag} data-state={e.state}>
              <code>{e.flag}</code> for {e.customer.name} ({learners(e.learnerCount)}){' '}
              <EnrollmentTime enrollment={e} now={now} />
              <span class="muted"> — {e.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

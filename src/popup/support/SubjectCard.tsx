// Who the looked-up user is, so that the agent knows they found the right person: username, email,
// active or not, staff, superuser, and their enterprise customers.
import type { Subject } from '../../core/subject';

/** `fallback`: the name that was looked up, when the LMS's answer does not say whom it describes. */
export function SubjectCard({ subject, fallback }: { subject: Subject | null; fallback: string }) {
  if (!subject) {
    return (
      <section class="subject" data-testid="subject" aria-label="The user you are viewing as">
        <strong data-testid="subject-username">{fallback}</strong>{' '}
        <span class="muted">(this LMS does not describe the user further)</span>
      </section>
    );
  }
  return (
    <section class="subject" data-testid="subject" aria-label="The user you are viewing as">
      <div class="subject__who">
        <strong data-testid="subject-username">{subject.username}</strong>
        {subject.email ? (
          <span class="muted" data-testid="subject-email">
            {subject.email}
          </span>
        ) : null}
        <span
          class={subject.isActive ? 'badge' : 'badge badge--expired'}
          data-testid="subject-active"
          data-active={String(subject.isActive)}
        >
          {subject.isActive ? 'active' : 'inactive'}
        </span>
        {subject.isSuperuser ? (
          <span class="badge badge--superuser" data-testid="subject-superuser">
            superuser
          </span>
        ) : null}
        {subject.isStaff ? (
          <span class="badge badge--staff" data-testid="subject-staff">
            staff
          </span>
        ) : null}
      </div>
      {subject.enterpriseCustomers.length ? (
        <ul class="subject__customers" aria-label="Their enterprise customers">
          {subject.enterpriseCustomers.map((c) => (
            <li key={c.uuid} data-testid="subject-customer" data-slug={c.slug}>
              <span>{c.name || c.slug}</span> <code class="muted">{c.slug}</code>
              {c.active ? <span class="muted"> (current)</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted" data-testid="subject-no-customer">
          No enterprise customer.
        </p>
      )}
    </section>
  );
}

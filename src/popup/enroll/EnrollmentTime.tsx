// When an enrollment ends, as its row in "My enrollments" or "Customer enrollments" says it: until when
// and how long is left while it is live, or how and when it ended.
import { timeLeft } from '../../core/enrollment-text';

/** What both kinds of enrollment (a user's, a customer's) say of their time. */
export interface EnrollmentTimes {
  state: 'live' | 'ended';
  expiresAt: string;
  endedAt: string | null;
  endReason: 'revoked' | 'expired' | null;
}

export function EnrollmentTime({ enrollment: e, now }: { enrollment: EnrollmentTimes; now: number }) {
  return e.state === 'live' ? (
    <span>
      until {new Date(e.expiresAt).toLocaleString()} ({timeLeft(e.expiresAt, now)} left)
    </span>
  ) : (
    <span class="muted">
      {e.endReason ?? 'ended'} {e.endedAt ? new Date(e.endedAt).toLocaleString() : ''}
    </span>
  );
}

// Why a flag is on, off or undecided for someone, in short phrases, most decisive first — said either
// to the viewer about themselves ("your enrollment") or about the user they are looking at ("their
// enrollment"). For another user the backend evaluates a request without cookies, so a percent flag is
// undecided until their browser has its cookie, and a testing flag is off without theirs.
import type { FlagInfo } from './backend-api';
import { timeLeft } from './enrollment-text';

export type Viewpoint = 'me' | 'them';
export type FlagValue = 'on' | 'off' | 'undecided';

export function valueOf(flag: FlagInfo): FlagValue {
  if (flag.undecided === true) return 'undecided';
  return flag.activeForMe ? 'on' : 'off';
}

const WORDS = {
  me: { their: 'your', they: 'you are' },
  them: { their: 'their', they: 'they are' },
} as const;

export function reasonsFor(flag: FlagInfo, who: Viewpoint, now: number): string[] {
  const w = WORDS[who];
  const c = flag.criteria;
  const reasons: string[] = [];
  const e = flag.myEnrollment;
  const enrolled = e !== null && e.state === 'live';
  if (enrolled) reasons.push(`${w.their} enrollment (${timeLeft(e.expiresAt, now)} left)`);
  for (const ce of flag.myCustomers ?? []) {
    reasons.push(
      `${w.their} customer's enrollment: ${ce.customer.name || ce.customer.slug} (${timeLeft(ce.expiresAt, now)} left)`,
    );
  }
  if (c.everyone === true) reasons.push('everyone');
  if (c.everyone === false) reasons.push('off for everyone');
  if (c.everyone === null) {
    // An enrollment lists the user; "listed" is said only when they were listed before it (or otherwise).
    if (flag.listed && !(enrolled && !e.preexistingMembership)) reasons.push(`${w.they} listed`);
    if (flag.myGroups.length) reasons.push(`${w.their} groups: ${flag.myGroups.join(', ')}`);
    else if (c.groups.length) reasons.push(`groups: ${c.groups.join(', ')}`);
    const ownCustomers = new Set((flag.myCustomers ?? []).map((ce) => ce.customer.uuid));
    const others = (flag.customers ?? []).filter((cu) => !ownCustomers.has(cu.uuid));
    if (others.length) reasons.push(`customers: ${others.map((cu) => cu.name || cu.slug).join(', ')}`);
    if (c.superusers) reasons.push('superusers');
    if (c.staff) reasons.push('staff');
    if (c.authenticated) reasons.push('authenticated');
    if (c.percent !== null && c.percent > 0) {
      reasons.push(
        flag.undecided === true
          ? `${c.percent} % — undecided until ${who === 'me' ? 'your' : 'their'} browser has a cookie`
          : who === 'me'
            ? `${c.percent} % (your dwf_ cookie)`
            : `${c.percent} %`,
      );
    }
    if (c.testing) {
      reasons.push(who === 'me' ? 'testing (dwft_ cookie or parameter)' : 'testing — off without their cookie');
    }
    if (c.userCount > 0 && !flag.listed) reasons.push(`${c.userCount} listed user${c.userCount === 1 ? '' : 's'}`);
  }
  if (reasons.length === 0) reasons.push('nobody (no criteria set)');
  return reasons;
}

/** "On for them: staff · authenticated", "Off for you. On for: superusers", "Undecided for them: 50 % — …". */
export function whySentence(flag: FlagInfo, who: Viewpoint, now: number): string {
  const whom = who === 'me' ? 'you' : 'them';
  const value = valueOf(flag);
  const head =
    value === 'on'
      ? `On for ${whom}: `
      : value === 'undecided'
        ? `Undecided for ${whom}: `
        : flag.criteria.everyone === false
          ? `Off for ${whom}: `
          : `Off for ${whom}. On for: `;
  return head + reasonsFor(flag, who, now).join(' · ');
}

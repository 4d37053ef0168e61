// "Match on me": which differing flags an enrollment of mine can make match (on for them, off for me,
// enrollable), and for every other difference why it cannot and what to do instead. Enrollment only
// adds me to a flag; it never turns a flag off for me.
import type { FlagInfo, FlagsResponse } from './backend-api';
import type { ComparedFlag, Comparison } from './comparison';
import type { Subject } from './subject';

export interface Unmatchable {
  flag: string;
  /** Why an enrollment of mine cannot make this flag match. */
  why: string;
  /** What the agent can do instead. */
  advice: string;
}

export interface MatchPlan {
  /** Flags to enroll me in, one enrollment each. */
  enroll: string[];
  cannot: Unmatchable[];
}

const NON_STAFF = 'Use a non-staff test account to see what they see.';
const NON_SUPERUSER = 'Use a test account that is not a superuser to see what they see.';
const LIKE_THEM = 'Use a test account that qualifies the way they do.';

function percentAdvice(flag: string): string {
  return `Percent flags follow the dwf_${flag} cookie of each browser: ask which way theirs reads, or delete yours (dwf_${flag}) to roll again.`;
}

/** Why a flag is on for me although it is off for them, from the first criterion that makes it so. */
function onForMe(mine: FlagInfo, me: Subject | null): Omit<Unmatchable, 'flag'> {
  const c = mine.criteria;
  if (mine.myEnrollment?.state === 'live')
    return { why: 'on for you because of your enrollment', advice: 'Revoke your enrollment on its row to match.' };
  if (c.everyone === true)
    return {
      why: 'on for everyone, yet off for them',
      advice: 'The LMS may answer from a cache: look again in a minute.',
    };
  if (mine.listed) return { why: 'on for you because you are listed', advice: LIKE_THEM };
  if (mine.myGroups.length)
    return { why: `on for you because of your groups (${mine.myGroups.join(', ')})`, advice: LIKE_THEM };
  if (mine.myCustomers?.length) return { why: "on for you because of your customer's enrollment", advice: LIKE_THEM };
  if (c.superusers && me?.isSuperuser) return { why: 'on for you because you are a superuser', advice: NON_SUPERUSER };
  if (c.staff && me?.isStaff !== false) return { why: 'on for you because you are staff', advice: NON_STAFF };
  if (c.testing)
    return {
      why: 'on for you because of a testing cookie or parameter (dwft_)',
      advice: `Delete the dwft_${mine.name} cookie (or the ?dwft_ parameter) to see it as they do.`,
    };
  if (c.percent !== null && c.percent > 0)
    return { why: `on for you by the ${c.percent} % roll of your browser`, advice: percentAdvice(mine.name) };
  if (c.authenticated) return { why: 'on for you because you are signed in', advice: LIKE_THEM };
  return { why: 'on for you, off for them', advice: LIKE_THEM };
}

function planRow(row: ComparedFlag, mine: FlagsResponse): { enroll: true } | Omit<Unmatchable, 'flag'> | null {
  const { mine: m, theirs: t, mineValue, theirsValue } = row;
  if (!row.differs || !m || !t) return null;
  if (theirsValue === 'undecided') {
    const percent = t.criteria.percent ?? 0;
    return {
      why: `${percent} % for them: undecided until their browser has the dwf_${row.name} cookie`,
      advice: percentAdvice(row.name),
    };
  }
  if (theirsValue === 'off') return onForMe(m, mine.subject ?? null);
  // On for them; off (or undecided) for me.
  if (mineValue === 'undecided') {
    return {
      why: `undecided for you: ${m.criteria.percent ?? 0} % and no dwf_${row.name} cookie yet`,
      advice: 'Reload the portal once so your browser gets its cookie, then compare again.',
    };
  }
  if (!mine.permissions.canEnrollSelf)
    return {
      why: 'you may not enroll yourself',
      advice: 'Ask an LMS admin for waffle_enrollments.enroll_self, or use a test account that qualifies as they do.',
    };
  if (m.enrollable) return { enroll: true };
  const patterns = mine.policy.patterns.length ? ` (${mine.policy.patterns.join(', ')})` : '';
  return {
    why: `not enrollable: ${m.notEnrollableReason ?? 'outside the enrollment policy'}`,
    advice: `Only flags the enrollment policy allows${patterns} can be enrolled. ${LIKE_THEM}`,
  };
}

export function planMatch(comparison: Comparison, mine: FlagsResponse): MatchPlan {
  const plan: MatchPlan = { enroll: [], cannot: [] };
  for (const row of comparison.rows) {
    const step = planRow(row, mine);
    if (step === null) continue;
    if ('enroll' in step) plan.enroll.push(row.name);
    else plan.cannot.push({ flag: row.name, ...step });
  }
  return plan;
}

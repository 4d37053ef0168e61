// After an enrollment or a revoke, the tester reloads the portal; the next captured response tells
// whether the flag really reads as expected for this user. Pure: from the tab's state to a verdict.
import { keyForFlag } from './flag-names';
import { latestValues } from './flags';
import type { TabState } from './types';

export interface Expectation {
  flag: string;
  /** What the portal should now receive for this flag. */
  on: boolean;
  /** When the change was made (epoch ms): only loads started after it count. */
  at: number;
  /** What was done, for the message. */
  action: 'enrolled' | 'revoked';
}

export type Verdict =
  | { kind: 'reload' }
  | { kind: 'waiting' }
  | { kind: 'confirmed'; key: string; on: boolean }
  | { kind: 'contradicted'; key: string; on: boolean }
  | { kind: 'absent'; key: string | null };

export function verify(expectation: Expectation, state: TabState | null): Verdict {
  const load = state?.loads[0];
  if (!load || load.startedAt < expectation.at) return { kind: 'reload' };
  const key = keyForFlag(expectation.flag);
  const rows = latestValues(load.snapshots);
  const row = key !== null ? rows.get(key) : undefined;
  if (row) return { kind: row.on === expectation.on ? 'confirmed' : 'contradicted', key: row.key, on: row.on };
  return load.snapshots.length === 0 ? { kind: 'waiting' } : { kind: 'absent', key };
}

export function describeVerdict(expectation: Expectation, verdict: Verdict): string {
  const want = expectation.on ? 'on' : 'off';
  switch (verdict.kind) {
    case 'reload':
      return `${expectation.action === 'enrolled' ? 'Enrolled' : 'Revoked'}. Reload the tab: the portal's next responses will show whether ${expectation.flag} is ${want} for you.`;
    case 'waiting':
      return 'Waiting for the portal to fetch its flags after the reload…';
    case 'confirmed':
      return `Confirmed: after the reload the portal receives ${verdict.key} = ${verdict.on ? 'on' : 'off'}.`;
    case 'contradicted':
      return `Not confirmed: after the reload the portal still receives ${verdict.key} = ${verdict.on ? 'on' : 'off'}, not ${want}. The LMS may answer from a cache (try again in a minute), or the flag is evaluated behind the BFF, which forwards only the Authorization header (no dwft_ cookies, no session).`;
    case 'absent':
      return verdict.key === null
        ? `Can't confirm here: ${expectation.flag} has no known response key, so the portal's responses don't show it.`
        : `Can't confirm here: the portal's responses since the reload don't include ${verdict.key}.`;
  }
}

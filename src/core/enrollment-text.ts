// Words and numbers the popup shows about enrollments: why a flag is on or off, time left, durations.
import { customerReasons } from './customers';
import type { FlagInfo } from './backend-api';

/** Why a flag is on or off for the caller, in short phrases, most decisive first. */
export function whyOnOff(flag: FlagInfo, now: number): string[] {
  const c = flag.criteria;
  const reasons: string[] = [];
  const e = flag.myEnrollment;
  if (e && e.state === 'live') reasons.push(`your enrollment (${timeLeft(e.expiresAt, now)} left)`);
  reasons.push(...customerReasons(flag.myCustomers ?? [], (iso) => timeLeft(iso, now)));
  if (c.everyone === true) reasons.push('everyone');
  if (c.everyone === false) reasons.push('off for everyone');
  if (c.everyone === null) {
    // An enrollment lists you; say "listed" only when you were listed before (or otherwise).
    if (flag.listed && !(e && e.state === 'live' && !e.preexistingMembership)) reasons.push('you are listed');
    if (flag.myGroups.length) reasons.push(`your groups: ${flag.myGroups.join(', ')}`);
    else if (c.groups.length) reasons.push(`groups: ${c.groups.join(', ')}`);
    if (c.superusers) reasons.push('superusers');
    if (c.staff) reasons.push('staff');
    if (c.authenticated) reasons.push('authenticated');
    if (c.percent !== null && c.percent > 0) reasons.push(`${c.percent}%`);
    if (c.testing) reasons.push('testing (dwft_ cookie/param)');
    if (c.userCount > 0 && !flag.listed) reasons.push(`${c.userCount} listed user${c.userCount === 1 ? '' : 's'}`);
  }
  if (reasons.length === 0) reasons.push('nobody (no criteria set)');
  return reasons;
}

/** "2h 05m", "4m 10s", "expired". */
export function timeLeft(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${String(h).padStart(2, '0')}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

/** "15 minutes", "8 hours", "1 day", "36 hours", "90 seconds". */
export function durationLabel(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds % 86400 === 0) return unit(seconds / 86400, 'day');
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** Duration choices up to the server's maximum, always with the server's default and the maximum. */
/** A duration the enrollment forms offer: its length and its words. */
export interface DurationPreset {
  seconds: number;
  label: string;
}

export function durationPresets(maxSeconds: number, defaultSeconds?: number): DurationPreset[] {
  const wanted = new Set([15 * 60, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400, maxSeconds]);
  if (defaultSeconds !== undefined && defaultSeconds > 0 && defaultSeconds <= maxSeconds) wanted.add(defaultSeconds);
  return [...wanted]
    .filter((s) => s > 0 && s <= maxSeconds)
    .sort((a, b) => a - b)
    .map((seconds) => ({
      seconds,
      label:
        durationLabel(seconds) +
        (seconds === defaultSeconds ? ' (default)' : seconds === maxSeconds ? ' (longest allowed)' : ''),
    }));
}

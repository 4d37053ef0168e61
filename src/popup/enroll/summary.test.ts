import { describe, expect, it } from 'vitest';
import type { FlagInfo } from '../../core/backend-api';
import { flagSummary, shortWhy } from './summary';
import { flagInfo } from '../../../test/lms-answers';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function info(partial: Partial<FlagInfo> = {}, criteria: Partial<FlagInfo['criteria']> = {}): FlagInfo {
  const base = flagInfo('enterprise.x');
  return { ...base, criteria: { ...base.criteria, ...criteria }, ...partial };
}

const live = {
  id: 3,
  flag: 'enterprise.x',
  user: { id: 1, username: 'staff', email: 's@example.com' },
  createdBy: { id: 1, username: 'staff', email: 's@example.com' },
  reason: 'r',
  createdAt: new Date(NOW - 60_000).toISOString(),
  expiresAt: new Date(NOW + (7 * 3600 + 59 * 60 + 30) * 1000).toISOString(),
  endedAt: null,
  endReason: null,
  endedBy: null,
  state: 'live',
  preexistingMembership: false,
} as unknown as NonNullable<FlagInfo['myEnrollment']>;

describe('the short why chip', () => {
  it('names the criterion that decides, in a word or two', () => {
    expect(shortWhy(info({ myEnrollment: live, activeForMe: true }), NOW)).toBe('enrolled 7h 59m');
    expect(shortWhy(info({}, { everyone: true }), NOW)).toBe('everyone');
    expect(shortWhy(info({}, { everyone: false }), NOW)).toBe('off for all');
    expect(shortWhy(info({ activeForMe: true, listed: true }, { staff: true }), NOW)).toBe('listed');
    expect(shortWhy(info({ activeForMe: true, myGroups: ['qa'] }), NOW)).toBe('group');
    expect(shortWhy(info({ activeForMe: true }, { staff: true }), NOW)).toBe('staff');
    expect(shortWhy(info({}, { percent: 50 }), NOW)).toBe('50 %');
    expect(shortWhy(info({}, { testing: true }), NOW)).toBe('testing');
    expect(shortWhy(info({}, { authenticated: true }), NOW)).toBe('signed in');
    expect(shortWhy(info({}, { groups: ['beta'] }), NOW)).toBe('groups');
    expect(shortWhy(info({}, { userCount: 4 }), NOW)).toBe('listed users');
    expect(shortWhy(info(), NOW)).toBe('nobody');
  });
});

describe('a line at rest', () => {
  it('an off, enrollable flag for someone who may enroll: Enroll…', () => {
    const s = flagSummary(info({}, { staff: true }), true, NOW);
    expect(s.action?.label).toBe('Enroll…');
    expect(s.enrolled).toBe(false);
    expect(s.why?.title).toBe('On for: staff');
  });

  it('no action without the right, for a flag already on, or outside the policy', () => {
    expect(flagSummary(info(), false, NOW).action).toBeNull();
    expect(flagSummary(info({ activeForMe: true }), true, NOW).action).toBeNull();
    expect(flagSummary(info({ enrollable: false }), true, NOW).action).toBeNull();
  });

  it('a testing flag with no enroll action offers Force… (testing mode for this browser)', () => {
    expect(flagSummary(info({}, { testing: true }), false, NOW).action?.label).toBe('Force…');
    expect(flagSummary(info({}, { testing: true }), true, NOW).action?.label).toBe('Enroll…');
    // everyone Yes/No wins over testing in waffle: nothing to force.
    expect(flagSummary(info({}, { testing: true, everyone: false }), false, NOW).action).toBeNull();
  });

  it('a live enrollment: enrolled, with Revoke… and the countdown in the chip', () => {
    const s = flagSummary(info({ myEnrollment: live, activeForMe: true }), true, NOW);
    expect(s.enrolled).toBe(true);
    expect(s.action?.label).toBe('Revoke…');
    expect(s.why?.text).toBe('enrolled 7h 59m');
    expect(s.why?.title).toMatch(/^On for you: your enrollment \(7h 59m left\)/);
  });
});

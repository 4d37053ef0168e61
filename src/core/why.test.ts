import { describe, expect, it } from 'vitest';
import { criteria, CUSTOMER_A, CUSTOMER_B, enrollmentJson, flagJson, flagsAnswer, NOW } from '../../test/lms-answers';
import type { FlagInfo } from './backend-api';
import { reasonsFor, valueOf, whySentence } from './why';

const one = (json: Record<string, unknown>): FlagInfo => flagsAnswer([json]).flags[0]!;

describe('why a flag is on, off or undecided, for me and for them', () => {
  it('percent: undecided until their browser has a cookie; mine follows my cookie', () => {
    const theirs = one(flagJson('enterprise.p', null, { criteria: criteria({ percent: 30 }) }));
    const mine = one(flagJson('enterprise.p', true, { criteria: criteria({ percent: 30 }) }));
    expect(valueOf(theirs)).toBe('undecided');
    expect(whySentence(theirs, 'them', NOW)).toBe(
      'Undecided for them: 30 % — undecided until their browser has a cookie',
    );
    expect(valueOf(mine)).toBe('on');
    expect(whySentence(mine, 'me', NOW)).toBe('On for you: 30 % (your dwf_ cookie)');
  });

  it('testing: off without their cookie', () => {
    const theirs = one(flagJson('enterprise.t', false, { criteria: criteria({ testing: true }) }));
    expect(whySentence(theirs, 'them', NOW)).toBe('Off for them. On for: testing — off without their cookie');
    expect(reasonsFor(theirs, 'me', NOW)).toEqual(['testing (dwft_ cookie or parameter)']);
  });

  it("their enrollment with its time left, their groups, listed, and their customer's enrollment", () => {
    const flag = one(
      flagJson('enterprise.e', true, {
        criteria: criteria({ groups: ['beta'], user_count: 3, customers: [CUSTOMER_A, CUSTOMER_B] }),
        my_enrollment: enrollmentJson('enterprise.e', 'learner2', { preexisting_membership: true }),
        me: {
          listed: true,
          groups: ['beta'],
          customers: [{ id: 1, enterprise_customer: CUSTOMER_A, expires_at: new Date(NOW + 3600_000).toISOString() }],
        },
      }),
    );
    expect(reasonsFor(flag, 'them', NOW)).toEqual([
      'their enrollment (2h 05m left)',
      "their customer's enrollment: Test Enterprise (1h 00m left)",
      'they are listed',
      'their groups: beta',
      'customers: Second Enterprise',
    ]);
    expect(reasonsFor(flag, 'me', NOW).slice(0, 3)).toEqual([
      'your enrollment (2h 05m left)',
      "your customer's enrollment: Test Enterprise (1h 00m left)",
      'you are listed',
    ]);
  });

  it('everyone, staff, superusers, authenticated, nobody', () => {
    expect(whySentence(one(flagJson('a', true, { criteria: criteria({ everyone: true }) })), 'them', NOW)).toBe(
      'On for them: everyone',
    );
    expect(whySentence(one(flagJson('a', false, { criteria: criteria({ everyone: false }) })), 'them', NOW)).toBe(
      'Off for them: off for everyone',
    );
    expect(
      whySentence(
        one(flagJson('a', false, { criteria: criteria({ staff: true, superusers: true, authenticated: false }) })),
        'them',
        NOW,
      ),
    ).toBe('Off for them. On for: superusers · staff');
    expect(whySentence(one(flagJson('a', false)), 'me', NOW)).toBe('Off for you. On for: nobody (no criteria set)');
  });
});

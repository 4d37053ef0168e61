import { describe, expect, it } from 'vitest';
import { criteria, enrollmentJson, flagJson, flagsAnswer, rand, subjectJson } from '../../test/lms-answers';
import { compareFlags } from './comparison';
import { planMatch } from './match';

describe('Match on me', () => {
  const n = (s: string) => `enterprise.${s}_${rand()}`;

  it('enrolls me in each enrollable flag on for them and off for me; says why not for the rest, with advice', () => {
    const listed = n('listed');
    const policy = 'learner_home_mfe.enabled';
    const staff = n('staff');
    const percent = n('percent');
    const testing = n('testing');
    const enrolled = n('enrolled');
    const same = n('same');
    const mine = flagsAnswer(
      [
        flagJson(listed, false),
        flagJson(policy, false, { enrollable: false, not_enrollable_reason: 'outside the enrollment policy' }),
        flagJson(staff, true, { criteria: criteria({ staff: true }) }),
        flagJson(percent, true, { criteria: criteria({ percent: 50 }) }),
        flagJson(testing, true, { criteria: criteria({ testing: true }) }),
        flagJson(enrolled, true, { my_enrollment: enrollmentJson(enrolled, 'support') }),
        flagJson(same, false),
      ],
      { subject: subjectJson('support', { is_staff: true }) },
    );
    const theirs = flagsAnswer([
      flagJson(listed, true, { me: { listed: true, groups: [], customers: [] } }),
      flagJson(policy, true),
      flagJson(staff, false, { criteria: criteria({ staff: true }) }),
      flagJson(percent, null, { criteria: criteria({ percent: 50 }) }),
      flagJson(testing, false, { criteria: criteria({ testing: true }) }),
      flagJson(enrolled, false),
      flagJson(same, false),
    ]);
    const plan = planMatch(compareFlags(mine, theirs), mine);
    expect(plan.enroll).toEqual([listed]);
    const cannot = Object.fromEntries(plan.cannot.map((c) => [c.flag, c]));
    expect(Object.keys(cannot).sort()).toEqual([policy, staff, percent, testing, enrolled].sort());
    expect(cannot[policy]).toMatchObject({ why: 'not enrollable: outside the enrollment policy' });
    expect(cannot[policy]!.advice).toMatch(/enterprise\.\*/);
    expect(cannot[staff]).toMatchObject({ why: 'on for you because you are staff' });
    expect(cannot[staff]!.advice).toMatch(/non-staff test account/);
    expect(cannot[percent]!.why).toMatch(/^50 % for them: undecided until their browser has the dwf_/);
    expect(cannot[percent]!.advice).toContain(`dwf_${percent}`);
    expect(cannot[testing]!.advice).toContain(`dwft_${testing}`);
    expect(cannot[enrolled]!.advice).toMatch(/Revoke your enrollment/);
  });

  it('without enroll_self nothing is enrolled, and it says so', () => {
    const flag = n('x');
    const mine = flagsAnswer([flagJson(flag, false)], { permissions: { can_enroll_self: false } });
    const plan = planMatch(compareFlags(mine, flagsAnswer([flagJson(flag, true)])), mine);
    expect(plan.enroll).toEqual([]);
    expect(plan.cannot).toEqual([expect.objectContaining({ flag, why: 'you may not enroll yourself' })]);
  });
});

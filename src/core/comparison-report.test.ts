import { describe, expect, it } from 'vitest';
import { CUSTOMER_A, criteria, flagJson, flagsAnswer, NOW, rand, subjectJson } from '../../test/lms-answers';
import { compareFlags } from './comparison';
import { comparisonMarkdown } from './comparison-report';

describe('Copy comparison', () => {
  it('environment, both users, every differing flag with both values and reasons, and the time', () => {
    const differs = `enterprise.d_${rand()}`;
    const same = `enterprise.s_${rand()}`;
    const them = flagsAnswer(
      [flagJson(differs, true, { me: { listed: true, groups: [], customers: [] } }), flagJson(same, true)],
      { subject: subjectJson('learner2', { enterprise_customers: [{ ...CUSTOMER_A, active: true }] }) },
    );
    const mine = flagsAnswer(
      [flagJson(differs, false), flagJson(same, true, { criteria: criteria({ staff: true }) })],
      {
        subject: subjectJson('support', { is_staff: true }),
      },
    );
    const md = comparisonMarkdown({
      pageUrl: 'http://localhost:8734/test-enterprise',
      environment: 'Devstack · learner portal',
      me: mine.subject!,
      them: them.subject!,
      comparison: compareFlags(mine, them),
      now: new Date(NOW),
    });
    expect(md).toContain('- **Environment:** Devstack · learner portal');
    expect(md).toContain('- **User:** learner2 <learner2@example.com> (customers: Test Enterprise)');
    expect(md).toContain('- **Me:** support <support@example.com> (staff)');
    expect(md).toContain('- **Compared:** 2 flags, 1 differs');
    expect(md).toContain(`- **Time:** ${new Date(NOW).toISOString()}`);
    const rows = md.split('\n').filter((l) => l.startsWith('| enterprise'));
    expect(rows).toEqual([
      `| ${differs.replace(/_/g, '\\_')} | on | they are listed | off | nobody (no criteria set) |`,
    ]);
  });

  it('escapes what came from the LMS', () => {
    const them = flagsAnswer([flagJson('enterprise.x', true)], { subject: subjectJson('a|b', { email: '<x>' }) });
    const mine = flagsAnswer([flagJson('enterprise.x', false)]);
    const md = comparisonMarkdown({
      pageUrl: 'http://x/',
      environment: 'other host',
      me: mine.user,
      them: them.subject!,
      comparison: compareFlags(mine, them),
      now: new Date(NOW),
    });
    expect(md).toContain('- **User:** a\\|b <\\<x\\>>');
    expect(md).toContain('- **Compared:** 1 flag, 1 differs');
  });
});

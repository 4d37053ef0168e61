// "Copy comparison": Markdown for a support ticket — the environment, both users, every flag whose
// value differs with both values and both reasons, and the time.
import type { UserRef } from './backend-api';
import { differCount, type Comparison } from './comparison';
import type { Subject } from './subject';
import { reasonsFor } from './why';

export interface ComparisonReportInput {
  pageUrl: string;
  /** "Devstack (learner portal)", "other host". */
  environment: string;
  me: Subject | UserRef;
  them: Subject;
  comparison: Comparison;
  now: Date;
}

function md(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function who(u: Subject | UserRef): string {
  const badges: string[] = [];
  if ('isActive' in u) {
    if (!u.isActive) badges.push('inactive');
    if (u.isSuperuser) badges.push('superuser');
    if (u.isStaff) badges.push('staff');
    if (u.enterpriseCustomers.length)
      badges.push(`customers: ${u.enterpriseCustomers.map((c) => c.name || c.slug).join(', ')}`);
  }
  return `${md(u.username)}${u.email ? ` <${md(u.email)}>` : ''}${badges.length ? ` (${md(badges.join('; '))})` : ''}`;
}

export function comparisonMarkdown(input: ComparisonReportInput): string {
  const { me, them, comparison } = input;
  const now = input.now.getTime();
  const differing = comparison.rows.filter((r) => r.differs);
  const lines = [`## Waffle flags: ${md(them.username)} compared with ${md(me.username)} — ${md(input.pageUrl)}`, ''];
  lines.push(`- **Environment:** ${md(input.environment)}`);
  lines.push(`- **User:** ${who(them)}`);
  lines.push(`- **Me:** ${who(me)}`);
  const n = comparison.rows.length;
  lines.push(`- **Compared:** ${n} flag${n === 1 ? '' : 's'}, ${differCount(differing.length)}`);
  lines.push(`- **Time:** ${input.now.toISOString()}`);
  lines.push('', `| flag | ${md(them.username)} | why | ${md(me.username)} (me) | why |`, '|---|---|---|---|---|');
  for (const r of differing) {
    const theirWhy = r.theirs ? reasonsFor(r.theirs, 'them', now).join('; ') : '';
    const myWhy = r.mine ? reasonsFor(r.mine, 'me', now).join('; ') : '';
    lines.push(`| ${md(r.name)} | ${r.theirsValue ?? '?'} | ${md(theirWhy)} | ${r.mineValue ?? '?'} | ${md(myWhy)} |`);
  }
  if (differing.length === 0) lines.push('| (no flag differs) | | | | |');
  return lines.join('\n') + '\n';
}

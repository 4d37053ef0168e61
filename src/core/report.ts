// "Copy report": a Markdown summary a tester pastes into a ticket.
import { describeIdentityProblem } from './identity';
import type { EnterpriseRef, FlagRow, IdentityResult, PageContext } from './types';

export interface ReportInput {
  pageUrl: string;
  context: PageContext;
  /** Null when nothing is known about the user yet (nothing captured on this page). */
  identity: IdentityResult | null;
  enterprise: EnterpriseRef | null;
  rows: readonly FlagRow[];
  featureParams: readonly string[];
  now: Date;
}

/** Escapes text for a Markdown table cell or inline span. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** The row's source; when sources disagreed in the load, each one's value and time. */
function sourceCell(r: FlagRow): string {
  if (!r.differs) return md(r.source);
  const each = r.values.map(
    (v) => `${md(v.source)} said ${v.on ? 'on' : 'off'} at ${new Date(v.capturedAt).toISOString()}`,
  );
  return `**sources differ:** ${each.join('; ')}`;
}

export function markdownReport(input: ReportInput): string {
  const { identity, context, enterprise, rows } = input;
  const env = context.environment
    ? `${context.environment.label} (${context.portal ?? 'unknown'} portal)`
    : 'other host';
  const lines = [`## Waffle flags — ${md(input.pageUrl)}`, ''];
  lines.push(`- **Environment:** ${md(env)}`);
  if (identity === null) {
    lines.push('- **User:** unknown (nothing captured on this page yet)');
  } else if (identity.status === 'ok' || identity.status === 'expired') {
    const u = identity.identity;
    const badges = [u.superuser ? 'superuser' : '', u.staff ? 'staff' : ''].filter(Boolean).join(', ');
    lines.push(`- **User:** ${md(u.username)}${u.email ? ` <${md(u.email)}>` : ''}${badges ? ` (${badges})` : ''}`);
    if (u.roles.length) lines.push(`- **Roles:** ${u.roles.map((r) => md(`${r.role}:${r.context}`)).join(', ')}`);
  }
  const problem = identity && describeIdentityProblem(identity);
  if (problem) lines.push(`- **User:** ${md(problem)}`);
  lines.push(
    `- **Enterprise:** ${enterprise ? `${md(enterprise.name)} (${md(enterprise.slug)}, ${md(enterprise.uuid)})` : 'unknown'}`,
  );
  lines.push(`- **Captured:** ${input.now.toISOString()}`);
  if (input.featureParams.length) {
    lines.push(`- **?feature= overrides (front end only):** ${input.featureParams.map(md).join(', ')}`);
  }
  lines.push('', `| on | key | Waffle flag | source | captured |`, '|---|---|---|---|---|');
  for (const r of rows) {
    const at = new Date(r.capturedAt).toISOString();
    lines.push(
      `| ${r.on ? 'on' : 'off'} | ${md(r.key)} | ${r.flag ? md(r.flag) : '(unknown key)'} | ${sourceCell(r)} | ${at} |`,
    );
  }
  if (rows.length === 0) lines.push('| | (no flags captured) | | | |');
  return lines.join('\n') + '\n';
}

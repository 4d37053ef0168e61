// The popup, as a pure component: give it a view and actions, it renders. `main.tsx` feeds it real data;
// tests feed it plain objects. Everything shown came from web pages, so it is rendered as text only.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { matchesFilter } from '../core/flags';
import { markdownReport } from '../core/report';
import { describeServiceChoice } from '../core/page-services';
import type { EnterpriseRole, FlagRow, IdentityResult } from '../core/types';
import { MemoFlagRow, type FlagSummary } from './FlagRowView';
import {
  buildModel,
  CHIPS,
  clockTime,
  environmentChip,
  environmentText,
  FIRST_ROWS,
  matchesChip,
  pathOf,
  sourceLabel,
  type FlagChip,
  type PopupActions,
  type PopupModel,
  type PopupView,
  type ReadyView,
} from './model';

export type { PopupActions, PopupView } from './model';
export type { FlagSummary } from './FlagRowView';

export interface AppProps {
  view: PopupView;
  actions: PopupActions;
  now?: () => number;
  /**
   * An expanded row's extra sections (why in full, enrollment; what later features add), rendered in
   * the row's own area under the facts the portal reported. Called only for expanded rows.
   */
  renderFlagExtra?: (row: FlagRow) => ComponentChildren;
  /** A row's line at rest: its short "why" chip and its one action. The same object while nothing changed. */
  describeFlag?: (row: FlagRow) => FlagSummary | null;
  /** Controls in the header's top line, at its end (e.g. *View as user*). */
  headerExtra?: ComponentChildren;
  /** A section after the flags (My enrollments, Enroll another user). */
  afterFlags?: ComponentChildren;
}

type Status = { kind: 'info' | 'error'; text: string } | null;

function errorText(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}

export function App({
  view,
  actions,
  now = Date.now,
  renderFlagExtra,
  describeFlag,
  headerExtra,
  afterFlags,
}: AppProps) {
  if (view.status === 'loading') {
    return (
      <main class="popup">
        <Title />
        <p class="muted" data-testid="loading" role="status">
          Reading this tab…
        </p>
      </main>
    );
  }
  if (view.status === 'error') {
    return (
      <main class="popup">
        <Title />
        <p class="warning warning--error" data-testid="error" role="alert">
          {view.message}
        </p>
      </main>
    );
  }
  return (
    <Ready
      view={view}
      actions={actions}
      now={now}
      renderFlagExtra={renderFlagExtra}
      describeFlag={describeFlag}
      headerExtra={headerExtra}
      afterFlags={afterFlags}
    />
  );
}

function Title({ hidden = false }: { hidden?: boolean }) {
  return <h1 class={hidden ? 'visually-hidden' : 'title'}>Waffle Inspector</h1>;
}

interface ReadyProps {
  view: ReadyView;
  actions: PopupActions;
  now: () => number;
  renderFlagExtra: ((row: FlagRow) => ComponentChildren) | undefined;
  describeFlag: ((row: FlagRow) => FlagSummary | null) | undefined;
  headerExtra: ComponentChildren;
  afterFlags: ComponentChildren;
}

function Ready({ view, actions, now, renderFlagExtra, describeFlag, headerExtra, afterFlags }: ReadyProps) {
  const model = useMemo(() => buildModel(view), [view]);
  const [filter, setFilter] = useState('');
  const [chip, setChip] = useState<FlagChip | null>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState<'copy' | 'reload' | null>(null);
  const [details, setDetails] = useState(false);
  // False until the first frame is done: Preact runs effects after its main-thread work (style, layout,
  // paint), while the compositor still rasters it.
  const [painted, setPainted] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);

  useEffect(() => setPainted(true), []);

  // The filter box has the focus when the popup opens; "/" brings it back from anywhere else.
  useEffect(() => {
    filterRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || isEditable(e.target)) return;
      e.preventDefault();
      filterRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const toggle = useCallback(
    (key: string) =>
      setOpen((before) => {
        const next = new Set(before);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
    [],
  );

  const summaries = useMemo(() => {
    const map = new Map<string, FlagSummary | null>();
    if (describeFlag) for (const row of model.rows) map.set(row.key, describeFlag(row));
    return map;
  }, [model, describeFlag]);
  const enrolled = (row: FlagRow) => summaries.get(row.key)?.enrolled === true;

  const counts = useMemo(() => {
    const out = new Map<FlagChip, number>();
    for (const c of CHIPS) {
      out.set(c.id, model.rows.filter((r) => matchesChip(r, c.id, model.hasPrevious, enrolled(r))).length);
    }
    return out;
  }, [model, summaries]);

  const visible = useMemo(
    () =>
      model.rows.filter(
        (r) => matchesFilter(r, filter) && (chip === null || matchesChip(r, chip, model.hasPrevious, enrolled(r))),
      ),
    [model, filter, chip, summaries],
  );
  const filtering = filter.trim() !== '' || chip !== null;
  const shown = painted || filtering ? visible : visible.slice(0, FIRST_ROWS);
  // One "now" per model, so that rows whose data did not change need not render again.
  const nowMs = useMemo(() => now(), [model, now]);

  const copy = async () => {
    const markdown = markdownReport({
      pageUrl: model.pageUrl ?? '(unknown page)',
      context: model.context,
      identity: model.identity,
      enterprise: model.enterprise,
      rows: model.rows,
      featureParams: model.featureParams,
      now: new Date(now()),
    });
    setBusy('copy');
    try {
      await actions.copyReport(markdown);
      setStatus({ kind: 'info', text: 'Copied: the report is on the clipboard, as Markdown.' });
    } catch (e) {
      setStatus({ kind: 'error', text: `Could not copy the report: ${errorText(e)}` });
    } finally {
      setBusy(null);
    }
  };

  const reload = async () => {
    setBusy('reload');
    try {
      await actions.reload();
      setStatus({ kind: 'info', text: 'Reloading the tab…' });
    } catch (e) {
      setStatus({ kind: 'error', text: `Could not reload the tab: ${errorText(e)}` });
    } finally {
      setBusy(null);
    }
  };

  const reloadButton = (
    <button
      type="button"
      data-testid="reload"
      onClick={() => void reload()}
      disabled={busy === 'reload'}
      title="Reload the tab"
    >
      Reload
    </button>
  );

  return (
    <main class="popup">
      <Title hidden />
      <header class="header">
        {/* Two lines at rest, each one line at the popup's 400 px; the rest is behind the environment chip. */}
        <div class="header__line" data-testid="header-user">
          <IdentityView identity={model.identity} enterpriseUuid={model.enterprise?.uuid ?? null} />
          {headerExtra ? (
            <div class="header__extra" data-testid="header-extra">
              {headerExtra}
            </div>
          ) : null}
        </div>
        <div class="header__line" data-testid="header-place">
          <EnterpriseView model={model} />
          <button
            type="button"
            class={`env env--${model.context.environment?.id ?? 'other'}`}
            data-testid="environment"
            title={environmentText(model.context, model.pageUrl)}
            aria-expanded={details}
            aria-controls="header-details"
            onClick={() => setDetails(!details)}
          >
            {environmentChip(model.context, model.pageUrl)}
          </button>
        </div>
        {details ? <HeaderDetails model={model} /> : null}
      </header>

      <p
        class={`status${status?.kind === 'error' ? ' status--error' : ''}`}
        role="status"
        aria-live="polite"
        data-testid="status"
      >
        {status?.text ?? ''}
      </p>

      <Warnings model={model} reloadButton={reloadButton} />

      <section class="flags" aria-labelledby="flags-heading">
        <div class="section-head">
          {/* Element Timing: the bench measures when the ready view is first painted, with or without flags. */}
          <h2 id="flags-heading" elementtiming="flags-heading">
            Flags
          </h2>
          <span class="count" data-testid="flag-count">
            {model.onCount} of {model.rows.length} on
            {filtering && model.rows.length ? ` · ${visible.length} shown` : ''}
          </span>
          <span class="section-head__actions">
            <button type="button" data-testid="copy-report" onClick={() => void copy()} disabled={busy === 'copy'}>
              Copy report
            </button>
            {model.warnings.nothingCaptured ? null : reloadButton}
          </span>
        </div>
        <div class="toolbar">
          <label class="filter">
            <span class="visually-hidden">Filter flags by key, Waffle flag or source</span>
            <input
              ref={filterRef}
              type="search"
              data-testid="filter"
              placeholder="Filter flags  ( / )"
              value={filter}
              onInput={(e) => setFilter(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && (filter !== '' || chip !== null)) {
                  e.preventDefault();
                  e.stopPropagation();
                  setFilter('');
                  setChip(null);
                }
              }}
              aria-controls="flag-list"
              autoComplete="off"
              spellcheck={false}
            />
          </label>
        </div>
        {model.rows.length > 0 ? (
          <div class="chips" role="group" aria-label="Show only" data-testid="filter-chips">
            {CHIPS.map((c) => {
              const count = counts.get(c.id) ?? 0;
              if (count === 0 && c.id !== 'on' && c.id !== 'off' && chip !== c.id) return null;
              return (
                <button
                  key={c.id}
                  type="button"
                  class={`filter-chip filter-chip--${c.id}`}
                  data-testid={`chip-${c.id}`}
                  aria-pressed={chip === c.id}
                  title={c.title}
                  onClick={() => setChip(chip === c.id ? null : c.id)}
                >
                  {c.label} <span class="filter-chip__count">{count}</span>
                </button>
              );
            })}
          </div>
        ) : null}
        {model.rows.length > 0 ? (
          <ul
            class={shown.length < visible.length ? 'flag-list flag-list--first' : 'flag-list'}
            id="flag-list"
            aria-label="Flags the portal received, on first"
          >
            {shown.map((row, i) => (
              <MemoFlagRow
                key={row.key}
                row={row}
                now={nowMs}
                compared={model.hasPrevious}
                summary={summaries.get(row.key) ?? null}
                expanded={open.has(row.key)}
                onToggle={toggle}
                renderExtra={renderFlagExtra}
                timing={i === 0 ? 'first-flag' : undefined}
              />
            ))}
          </ul>
        ) : null}
        {model.rows.length > 0 && visible.length === 0 ? (
          <p class="muted" data-testid="no-match">
            No flag matches{filter.trim() ? ` “${filter.trim()}”` : ''}
            {chip ? ` among ${CHIPS.find((c) => c.id === chip)?.label ?? chip}` : ''}. Press Escape to clear the filter.
          </p>
        ) : null}
        {model.vanished.length > 0 ? (
          <div class="vanished" data-testid="vanished">
            <h3>Gone since the previous load</h3>
            <ul>
              {model.vanished.map((key) => (
                <li key={key}>
                  <code data-testid="vanished-key">{key}</code>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>

      {afterFlags}

      {model.featureParams.length > 0 ? <FeatureParams model={model} /> : null}

      {model.diagnostics.length > 0 ? <Diagnostics model={model} /> : null}
    </main>
  );
}

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** "learner" for `enterprise_learner`: the chip's text; the full role and its customer are its tooltip. */
function shortRole(role: string): string {
  return role.replace(/^enterprise_/, '').replace(/_/g, ' ');
}

/**
 * How many role chips fit on the user's line at the popup's 400 px, with a "+N" chip for the rest: an
 * estimate from the text's length (13 px bold for the name, 11 px chips with their padding and gap),
 * so that the line never wraps and the name is not cut short for a chip. The name still ends in an
 * ellipsis if it alone is too long; every role is in the header's details.
 */
export function roleChipsThatFit(username: string, badges: readonly string[], chips: readonly string[]): number {
  const LINE = 380;
  const chip = (text: string) => text.length * 6.3 + 19;
  let used = Math.min(username.length * 7.7, 220) + badges.reduce((n, b) => n + chip(b), 0);
  let fit = 0;
  for (const [i, text] of chips.entries()) {
    const rest = chips.length - i - 1;
    if (used + chip(text) + (rest > 0 ? chip(`+${rest}`) : 0) > LINE) break;
    used += chip(text);
    fit++;
  }
  return fit;
}

function roleWhere(r: EnterpriseRole, enterpriseUuid: string | null): string {
  if (r.context === '*') return 'all customers';
  return enterpriseUuid !== null && r.context === enterpriseUuid ? 'this customer' : `customer ${r.context}`;
}

function IdentityView({
  identity,
  enterpriseUuid,
}: {
  identity: IdentityResult | null;
  enterpriseUuid: string | null;
}) {
  if (identity === null || identity.status === 'missing' || identity.status === 'garbled') {
    return (
      <section class="identity" data-testid="identity" aria-label="Signed-in user">
        <span class="muted">{identity === null ? 'Signed-in user not known yet' : 'Signed-in user unknown'}</span>
      </section>
    );
  }
  const u = identity.identity;
  const applies = (r: EnterpriseRole) => r.context === '*' || (enterpriseUuid !== null && r.context === enterpriseUuid);
  // The roles that apply here first (a stable sort keeps the token's order within each group).
  const roles = [...u.roles].sort((a, b) => Number(applies(b)) - Number(applies(a)));
  const badges = [
    u.superuser ? 'superuser' : '',
    u.staff ? 'staff' : '',
    identity.status === 'expired' ? 'token expired' : '',
  ];
  const chipText = (r: EnterpriseRole) => `${shortRole(r.role)}${r.context === '*' ? ' *' : ''}`;
  const shown = roles.slice(0, roleChipsThatFit(u.username, badges.filter(Boolean), roles.map(chipText)));
  const rest = roles.slice(shown.length);
  return (
    <section class="identity" data-testid="identity" aria-label="Signed-in user">
      <strong
        class="ellipsis identity__name"
        data-testid="username"
        title={u.email ? `${u.username}\n${u.email}` : u.username}
      >
        {u.username}
      </strong>
      {u.superuser ? (
        <span class="badge badge--superuser" data-testid="badge-superuser">
          superuser
        </span>
      ) : null}
      {u.staff ? (
        <span class="badge badge--staff" data-testid="badge-staff">
          staff
        </span>
      ) : null}
      {identity.status === 'expired' ? (
        <span class="badge badge--expired" data-testid="badge-expired">
          token expired
        </span>
      ) : null}
      {roles.length > 0 ? (
        <ul class="roles" aria-label="Enterprise roles">
          {shown.map((r, i) => (
            <li
              key={`${r.role}:${r.context}:${i}`}
              class={`badge role${applies(r) ? ' role--here' : ''}`}
              data-testid="role"
              title={`${r.role} for ${roleWhere(r, enterpriseUuid)}`}
            >
              {chipText(r)}
            </li>
          ))}
          {rest.length > 0 ? (
            <li
              class="badge role"
              data-testid="roles-more"
              title={rest.map((r) => `${r.role} for ${roleWhere(r, enterpriseUuid)}`).join('\n')}
            >
              +{rest.length}
            </li>
          ) : null}
        </ul>
      ) : null}
    </section>
  );
}

function EnterpriseView({ model }: { model: PopupModel }) {
  const e = model.enterprise;
  return (
    <section class="enterprise ellipsis" data-testid="enterprise" aria-label="Enterprise customer">
      {e ? (
        <span class="enterprise__name" data-testid="enterprise-name" title={`${e.name}\n${e.slug}\n${e.uuid}`}>
          {e.name}
        </span>
      ) : (
        <span class="muted">No enterprise customer seen yet</span>
      )}
    </section>
  );
}

/** The header's details, behind the environment chip: who, which customer, which page, which services. */
function HeaderDetails({ model }: { model: PopupModel }) {
  const identity = model.identity;
  const u = identity?.status === 'ok' || identity?.status === 'expired' ? identity.identity : null;
  const e = model.enterprise;
  const environment = model.context.environment;
  return (
    <dl class="header__details facts" id="header-details" data-testid="header-details">
      {u ? (
        <>
          <dt>User</dt>
          <dd>
            {u.username}
            {u.email ? (
              <>
                {' · '}
                <span data-testid="email">{u.email}</span>
              </>
            ) : null}
          </dd>
          {u.roles.length > 0 ? (
            <>
              <dt>Roles</dt>
              <dd>
                <ul class="plain" data-testid="roles-all">
                  {u.roles.map((r, i) => (
                    <li key={`${r.role}:${r.context}:${i}`}>
                      {r.role} for {roleWhere(r, e?.uuid ?? null)}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
        </>
      ) : null}
      {e ? (
        <>
          <dt>Customer</dt>
          <dd>
            {e.name} · <span data-testid="enterprise-slug">{e.slug}</span> ·{' '}
            <code data-testid="enterprise-uuid">{e.uuid}</code>
          </dd>
        </>
      ) : null}
      <dt>Page</dt>
      <dd data-testid="environment-text">{environmentText(model.context, model.pageUrl)}</dd>
      {environment ? (
        <>
          <dt>Services</dt>
          <dd>
            <p class="lms" data-testid="lms" data-from={model.lms?.from ?? 'none'}>
              {describeServiceChoice('lms', model.lms, environment.label)}
            </p>
            {model.enterpriseAccess?.from === 'page' ? (
              <p class="lms" data-testid="enterprise-access">
                {describeServiceChoice('enterpriseAccess', model.enterpriseAccess, null)}
              </p>
            ) : null}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Warnings({ model, reloadButton }: { model: PopupModel; reloadButton: ComponentChildren }) {
  const { warnings, identityProblem } = model;
  return (
    <div class="warnings">
      {warnings.notPortal ? (
        <p class="warning" data-testid="warning-not-portal">
          This page is not an Open edX Enterprise portal the extension knows (learner or admin portal of Production,
          Stage, Devstack or an environment added in Options), so there are no flags to read here.
        </p>
      ) : null}
      {identityProblem ? (
        <p class="warning" data-testid="warning-identity">
          {identityProblem}
        </p>
      ) : null}
      {warnings.superuser ? (
        <p class="warning warning--strong" data-testid="warning-superuser">
          You are signed in as a superuser: most Waffle flags are on for you and not for learners. Check with a learner
          account before trusting what you see.
        </p>
      ) : null}
      {warnings.nothingCaptured ? (
        <div class="warning" data-testid="warning-nothing-captured">
          <p>
            Nothing captured yet. The extension reads flags from the portal's own API calls as the page loads: reload
            the tab to capture them.
          </p>
          {reloadButton}
        </div>
      ) : null}
    </div>
  );
}

function FeatureParams({ model }: { model: PopupModel }) {
  return (
    <section class="feature-params" data-testid="feature-params" aria-labelledby="feature-params-heading">
      <h2 id="feature-params-heading">Front-end-only overrides</h2>
      <p class="muted">
        The tab's URL has <code>?feature=</code> parameters. They switch features in the portal's JavaScript only; the
        backend never sees them, so the flags above are unaffected.
      </p>
      <ul>
        {model.featureParams.map((name) => {
          const row = model.rows.find((r) => r.key === name || r.flag === name);
          return (
            <li key={name} data-testid="feature-param">
              <code>{name}</code>
              {row ? <span class="muted"> (the backend says: {row.on ? 'on' : 'off'})</span> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Diagnostics({ model }: { model: PopupModel }) {
  return (
    <section class="diagnostics" data-testid="diagnostics" aria-labelledby="diagnostics-heading">
      <h2 id="diagnostics-heading">What could not be read</h2>
      <ul>
        {model.diagnostics.map((d, i) => (
          <li key={`${d.at}:${i}`} data-testid="diagnostic">
            <div>
              <code class="diagnostic__url">
                {d.method.toUpperCase()} {pathOf(d.url)}
              </code>
            </div>
            <div class="muted">
              {sourceLabel(d.source)} · <time dateTime={new Date(d.at).toISOString()}>{clockTime(d.at)}</time>
            </div>
            <div data-testid="diagnostic-reason">{d.reason}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

// The popup, as a pure component: give it a view and actions, it renders. `main.tsx` feeds it real data;
// tests feed it plain objects. Everything shown came from web pages, so it is rendered as text only.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { matchesFilter } from '../core/flags';
import { markdownReport } from '../core/report';
import { describeServiceChoice } from '../core/page-services';
import type { FlagRow, IdentityResult } from '../core/types';
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
        <div class="header__line">
          <IdentityView identity={model.identity} enterpriseUuid={model.enterprise?.uuid ?? null} />
          {headerExtra ? (
            <div class="header__extra" data-testid="header-extra">
              {headerExtra}
            </div>
          ) : null}
        </div>
        <div class="header__line">
          <EnterpriseView model={model} />
          <span
            class={`env env--${model.context.environment?.id ?? 'other'}`}
            data-testid="environment"
            title={environmentText(model.context, model.pageUrl)}
          >
            {environmentChip(model.context, model.pageUrl)}
          </span>
        </div>
        {model.context.environment ? (
          <p class="lms" data-testid="lms" data-from={model.lms?.from ?? 'none'}>
            {describeServiceChoice('lms', model.lms, model.context.environment.label)}
          </p>
        ) : null}
        {model.enterpriseAccess?.from === 'page' ? (
          <p class="lms" data-testid="enterprise-access">
            {describeServiceChoice('enterpriseAccess', model.enterpriseAccess, null)}
          </p>
        ) : null}
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
  return (
    <section class="identity" data-testid="identity" aria-label="Signed-in user">
      <strong class="ellipsis identity__name" data-testid="username" title={u.username}>
        {u.username}
      </strong>
      {u.email ? (
        <span class="muted ellipsis identity__email" data-testid="email" title={u.email}>
          {u.email}
        </span>
      ) : null}
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
      {u.roles.length > 0 ? (
        <ul class="roles" aria-label="Enterprise roles">
          {u.roles.map((r, i) => {
            const here = enterpriseUuid !== null && r.context === enterpriseUuid;
            const where = r.context === '*' ? 'all customers' : here ? 'this customer' : `customer ${r.context}`;
            return (
              <li
                key={`${r.role}:${r.context}:${i}`}
                class={`badge role${here || r.context === '*' ? ' role--here' : ''}`}
                data-testid="role"
                title={`${r.role} for ${where}`}
              >
                {shortRole(r.role)}
                {r.context === '*' ? ' *' : ''}
              </li>
            );
          })}
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
        <span title={`${e.name}\n${e.slug}\n${e.uuid}`}>
          <strong data-testid="enterprise-name">{e.name}</strong>{' '}
          <span class="muted" data-testid="enterprise-slug">
            {e.slug}
          </span>{' '}
          <code class="muted" data-testid="enterprise-uuid">
            {e.uuid}
          </code>
        </span>
      ) : (
        <span class="muted">No enterprise customer seen yet</span>
      )}
    </section>
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

// What the popup shows, derived from one TabState: pure functions, no DOM, no extension API.
// `App.tsx` renders a PopupModel; `useTabState.ts` produces the PopupView it is built from.
import { detectContext, featureParams as featureParamsOf, PRESETS } from '../core/environment';
import { flagRows, previousLoad, vanishedKeys } from '../core/flags';
import { describeIdentityProblem } from '../core/identity';
import { chooseService, type ServiceChoice } from '../core/page-services';
import { sourceLabel as coreSourceLabel } from '../core/sources/labels';
import type {
  Diagnostic,
  EnterpriseRef,
  Environment,
  FlagRow,
  IdentityResult,
  PageContext,
  SourceId,
  TabState,
} from '../core/types';

/**
 * Flag rows in the popup's first frame: more than its 600 px show (a row is one ~27 px line at rest,
 * and the header, toolbar and chips take ~140 px: 16-17 rows are in view). The rest follow right after that frame (a tab
 * may report 500 flags: building, styling, laying out and painting all of them first would keep the
 * popup blank for tens of milliseconds, and every row more in the first frame delays it;
 * docs/BENCHMARKS.md).
 */
export const FIRST_ROWS = 20;

/** What the popup has to show: still asking, an answer (possibly "nothing"), or why it could not ask. */
export type PopupView = { status: 'loading' } | { status: 'error'; message: string } | ReadyView;

export interface ReadyView {
  status: 'ready';
  tabId: number;
  /** The tab's URL as the tabs API reports it; null when the extension may not see it. */
  tabUrl: string | null;
  /** Null when nothing was captured in this tab, or the state belongs to another page (stale). */
  state: TabState | null;
  /** Environments to recognise portals by; the built-in presets when absent. */
  environments?: readonly Environment[];
}

/** What the popup asks of the outside world. Both reject with an Error whose message a person can act on. */
export interface PopupActions {
  /** Reloads the tab, so that the portal's API calls are captured afresh. */
  reload(): Promise<void>;
  /** Puts the Markdown report on the clipboard. */
  copyReport(markdown: string): Promise<void>;
}

export interface PopupModel {
  pageUrl: string | null;
  context: PageContext;
  /** The LMS the extension's backend calls go to for this page (the one the page calls), if any. */
  lms: ServiceChoice | null;
  /** The enterprise-access (BFF) the page calls, or its environment's. */
  enterpriseAccess: ServiceChoice | null;
  /** Null when the popup has no state for this tab (nothing captured, or stale). */
  identity: IdentityResult | null;
  identityProblem: string | null;
  enterprise: EnterpriseRef | null;
  rows: FlagRow[];
  onCount: number;
  /** Whether an earlier load captured flags, so "changed" marks mean something. */
  hasPrevious: boolean;
  vanished: string[];
  featureParams: string[];
  /** Problems of the current load only, most recent first. */
  diagnostics: Diagnostic[];
  warnings: { superuser: boolean; nothingCaptured: boolean; notPortal: boolean };
}

export function buildModel(view: ReadyView): PopupModel {
  const { state, tabUrl } = view;
  const pageUrl = tabUrl ?? state?.url ?? null;
  const context = pageUrl ? detectContext(pageUrl, view.environments ?? PRESETS) : { environment: null, portal: null };
  const current = state?.loads[0];
  const previous = state ? previousLoad(state.loads) : undefined;
  const rows = flagRows(current, previous);
  const identity = state?.identity ?? null;
  const superuser =
    identity !== null && (identity.status === 'ok' || identity.status === 'expired') && identity.identity.superuser;
  const notPortal = context.environment === null;
  const since = current?.startedAt ?? Number.NEGATIVE_INFINITY;
  return {
    pageUrl,
    context,
    lms: chooseService('lms', context.environment, current?.snapshots ?? []),
    enterpriseAccess: chooseService('enterpriseAccess', context.environment, current?.snapshots ?? []),
    identity,
    identityProblem: identity ? describeIdentityProblem(identity) : null,
    enterprise: state ? latestEnterprise(state) : null,
    rows,
    onCount: rows.filter((r) => r.on).length,
    hasPrevious: previous !== undefined,
    vanished: vanishedKeys(current, previous),
    featureParams: mergeFeatureParams(state?.featureParams ?? [], tabUrl),
    diagnostics: (state?.diagnostics ?? []).filter((d) => d.at >= since),
    warnings: {
      superuser,
      // On a page that is not a portal, "not a portal" says it all, unless something was captured there anyway.
      nothingCaptured: rows.length === 0 && (!notPortal || state !== null),
      notPortal,
    },
  };
}

/** The enterprise customer of the most recent snapshot that names one, current load first. */
export function latestEnterprise(state: TabState): EnterpriseRef | null {
  for (const load of state.loads) {
    let best: { at: number; enterprise: EnterpriseRef } | null = null;
    for (const snap of load.snapshots) {
      if (snap.enterprise && (best === null || snap.capturedAt >= best.at)) {
        best = { at: snap.capturedAt, enterprise: snap.enterprise };
      }
    }
    if (best) return best.enterprise;
  }
  return null;
}

/**
 * `?feature=` parameters the page loaded with, plus any in the tab's URL now (a single-page app may
 * have changed its URL since); the portals read them from the current URL, the backend never.
 */
export function mergeFeatureParams(fromLoad: readonly string[], tabUrl: string | null): string[] {
  return [...new Set([...fromLoad, ...(tabUrl ? featureParamsOf(tabUrl) : [])])];
}

export function sourceLabel(source: SourceId | null): string {
  return source === null ? 'unknown source' : coreSourceLabel(source);
}

/** Which service evaluated a source's flags: the BFF (enterprise-access) or the LMS itself. */
export function sourceSide(source: SourceId): 'BFF' | 'LMS' {
  return source === 'bff-learner' ? 'BFF' : 'LMS';
}

/** The filter chips beside the search, each a question about a row. */
export type FlagChip = 'on' | 'off' | 'enrolled' | 'changed' | 'differs' | 'unknown';

export const CHIPS: readonly { id: FlagChip; label: string; title: string }[] = [
  { id: 'on', label: 'On', title: 'Flags that read on' },
  { id: 'off', label: 'Off', title: 'Flags that read off' },
  { id: 'enrolled', label: 'Enrolled', title: 'Flags you hold a live enrollment in' },
  { id: 'changed', label: 'Changed', title: 'Flags whose value changed since the previous load' },
  { id: 'differs', label: 'Differs', title: 'Flags on which the LMS and the BFF disagreed in this load' },
  { id: 'unknown', label: 'Unknown key', title: "Keys not in the extension's table of Waffle flags" },
];

/** Whether a row answers a chip's question. `enrolled` comes from the backend's answer, when there is one. */
export function matchesChip(row: FlagRow, chip: FlagChip, compared: boolean, enrolled: boolean): boolean {
  switch (chip) {
    case 'on':
      return row.on;
    case 'off':
      return !row.on;
    case 'enrolled':
      return enrolled;
    case 'changed':
      return compared && row.changed;
    case 'differs':
      return row.differs;
    case 'unknown':
      return row.flag === null;
  }
}

/** Method-less endpoint of a URL: its path, never its query (which may carry a username or an email). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split(/[?#]/, 1)[0]?.slice(0, 200) ?? '';
  }
}

/** Host and port of a URL, or null. */
export function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock time, HH:MM:SS (24 h, the same in every locale). */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** The environment chip's text: which environment and portal; the host when it is another host. */
export function environmentChip(context: PageContext, pageUrl: string | null): string {
  if (!context.environment) return environmentText(context, pageUrl);
  return context.portal ? `${context.environment.label} · ${context.portal}` : context.environment.label;
}

export function environmentText(context: PageContext, pageUrl: string | null): string {
  const host = hostOf(pageUrl);
  if (!context.environment) return host ? `Other host · ${host}` : 'Other host';
  const portal = context.portal ? ` · ${context.portal} portal` : '';
  return `${context.environment.label}${portal}${host ? ` · ${host}` : ''}`;
}

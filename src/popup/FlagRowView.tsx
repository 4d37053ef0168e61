// One flag in the popup's list: one line at rest (state pill, key, marks, a short "why" chip, one
// action), its details in place when expanded. Everything in it came from a web page or the LMS:
// rendered as text, never as HTML.
import { Component, Fragment, type ComponentChildren } from 'preact';
import type { FlagRow, SourceValue } from '../core/types';
import { ago, clockTime, pathOf, sourceLabel, sourceSide } from './model';

/** What the backend (or a later feature) says about a flag, for its line at rest. */
export interface FlagSummary {
  /** The short reason, e.g. "staff", "50 %", "enrolled 7h 59m"; its long form as the tooltip. */
  why: { text: string; title: string } | null;
  /** Whether the signed-in user holds a live enrollment in the flag (the *Enrolled* filter). */
  enrolled: boolean;
  /** The one action of the line, e.g. "Enroll…": it opens the row, where the control is. */
  action: { label: string; title: string } | null;
}

export interface FlagRowViewProps {
  row: FlagRow;
  /** Epoch milliseconds "now", for "2 min ago". */
  now: number;
  /** Whether an earlier load exists to compare with (otherwise no row is "changed"). */
  compared: boolean;
  summary: FlagSummary | null;
  expanded: boolean;
  onToggle: (key: string) => void;
  /** Element Timing name for the key (the first row's: the bench measures when it is painted). */
  timing?: string;
  /**
   * The expanded row's extra sections (why in full, enroll form, countdown and Revoke, and what later
   * features add), under the facts the portal reported. Called only for an expanded row.
   */
  renderExtra?: (row: FlagRow) => ComponentChildren;
}

/**
 * The texts of a capture time and a source URL, computed once per value: the rows of a load share a
 * handful of snapshots, and `Date#toString` and `new URL` cost microseconds each, 500 times over.
 */
const texts = new Map<string, string>();
function cached(key: string, make: () => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    if (texts.size > 500) texts.clear();
    text = make();
    texts.set(key, text);
  }
  return text;
}

function changeText(row: FlagRow): string {
  if (row.previous === undefined) return 'new';
  return row.previous ? 'was on' : 'was off';
}

function onOff(on: boolean): string {
  return on ? 'on' : 'off';
}

/** "LMS said on, BFF said off": the disagreement in one line, for the chip's tooltip. */
/** Each source and what it said: the LMS's first, then the BFF's, whichever arrived first (a fixed
 * order reads the same on every load). */
export function differsText(values: readonly SourceValue[]): string {
  const lmsFirst = [...values].sort(
    (a, b) => Number(sourceSide(a.source) === 'BFF') - Number(sourceSide(b.source) === 'BFF'),
  );
  return lmsFirst.map((v) => `${sourceSide(v.source)} (${sourceLabel(v.source)}) said ${onOff(v.on)}`).join(', ');
}

/** A key or flag name that may break only after `_` or `.`, never inside a word. */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[_.])/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </>
  );
}

function keyTitle(row: FlagRow): string {
  return `${row.key}\nWaffle flag: ${row.flag ?? 'not in the extension’s table (unknown key)'}`;
}

export function FlagRowView({
  row,
  now,
  compared,
  summary,
  expanded,
  onToggle,
  timing,
  renderExtra,
}: FlagRowViewProps) {
  const state = onOff(row.on);
  const detailsId = `flag-details-${row.key.replace(/\s/g, '_')}`;
  const extra = expanded ? renderExtra?.(row) : null;
  const hasExtra = extra !== undefined && extra !== null && extra !== false;
  return (
    <li
      class={`flag flag--${state}${expanded ? ' flag--open' : ''}${row.differs ? ' flag--differs' : ''}`}
      data-testid="flag-row"
      data-key={row.key}
      data-on={String(row.on)}
      data-differs={row.differs ? 'true' : undefined}
    >
      <div class="flag__line">
        <span class={`pill pill--${state}`} data-testid="flag-state">
          {state}
        </span>
        <button
          type="button"
          class="flag__toggle"
          data-testid="flag-toggle"
          aria-expanded={expanded}
          aria-controls={detailsId}
          title={keyTitle(row)}
          onClick={() => onToggle(row.key)}
          elementtiming={timing}
        >
          <code class="flag__key" data-testid="flag-key">
            {row.key}
          </code>
        </button>
        {compared && row.changed ? (
          <span
            class="chip chip--changed"
            data-testid="flag-changed"
            title={
              row.previous === undefined
                ? 'Not reported in the previous load'
                : `Was ${onOff(row.previous)} in the previous load`
            }
          >
            {changeText(row)}
          </span>
        ) : null}
        {row.differs ? (
          <span
            class="chip chip--differs"
            data-testid="flag-differs"
            title={`Sources differ: ${differsText(row.values)}`}
          >
            differs
          </span>
        ) : null}
        {row.flag === null ? (
          <span
            class="chip chip--unknown"
            data-testid="flag-unknown"
            title="This key is not in the extension's table of Waffle flags"
          >
            unknown key
          </span>
        ) : null}
        {summary?.why ? (
          <span class="chip chip--why" data-testid="flag-why" title={summary.why.title}>
            {summary.why.text}
          </span>
        ) : null}
        {summary?.action ? (
          <button
            type="button"
            class="flag__action"
            data-testid="flag-action"
            title={summary.action.title}
            aria-expanded={expanded}
            aria-controls={detailsId}
            onClick={() => onToggle(row.key)}
          >
            {summary.action.label}
          </button>
        ) : null}
      </div>
      {expanded ? (
        <div class="flag__details" id={detailsId} data-testid="flag-details">
          <dl class="facts">
            <dt>Key</dt>
            <dd>
              <code class="breakable">
                <Breakable text={row.key} />
              </code>
            </dd>
            <dt>Waffle flag</dt>
            <dd>
              {row.flag !== null ? (
                <code class="breakable" data-testid="flag-name">
                  <Breakable text={row.flag} />
                </code>
              ) : (
                <span class="muted">not in the extension's table: the key is shown as it is</span>
              )}
            </dd>
            <dt>{row.values.length > 1 ? 'Sources' : 'Source'}</dt>
            <dd>
              <ul class="sources" data-testid="flag-sources">
                {row.values.map((v) => (
                  <li key={v.source} data-testid="flag-source-value" data-source={v.source} data-on={String(v.on)}>
                    <span class={`pill pill--small pill--${onOff(v.on)}`}>{onOff(v.on)}</span>{' '}
                    <span data-testid="flag-source" title={cached(`p${v.url}`, () => pathOf(v.url))}>
                      {sourceSide(v.source)} · {sourceLabel(v.source)}
                    </span>{' '}
                    <time
                      class="muted"
                      data-testid="flag-captured"
                      dateTime={cached(`i${v.capturedAt}`, () => new Date(v.capturedAt).toISOString())}
                      title={cached(`t${v.capturedAt}`, () => new Date(v.capturedAt).toString())}
                    >
                      {cached(`c${v.capturedAt}`, () => clockTime(v.capturedAt))} ({ago(v.capturedAt, now)})
                    </time>
                  </li>
                ))}
              </ul>
              {row.differs ? (
                <p class="differs-note" data-testid="differs-note">
                  The sources disagree in this load; the row shows the latest. The BFF asks the LMS with only your
                  token: this browser's <code>dwft_</code>/<code>dwf_</code> cookies and query parameters never reach
                  that evaluation, and a percent flag may be decided again.
                </p>
              ) : null}
            </dd>
          </dl>
          {hasExtra ? (
            <div class="flag__extra" data-testid="flag-extra">
              {extra}
            </div>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

/**
 * A row that renders again only when what it shows changed: typing in the filter, or an answer of the
 * backend for some flags, would otherwise rebuild all 500 rows. (Preact's own `memo` is in
 * preact/compat, a bundle of its own; this is the same check.) An expanded row always renders again:
 * its extra sections (a countdown, a form) change without its props.
 */
export class MemoFlagRow extends Component<FlagRowViewProps> {
  override shouldComponentUpdate(next: FlagRowViewProps): boolean {
    const p = this.props;
    return (
      next.expanded ||
      next.expanded !== p.expanded ||
      next.row !== p.row ||
      next.now !== p.now ||
      next.compared !== p.compared ||
      next.timing !== p.timing ||
      next.summary !== p.summary
    );
  }
  override render() {
    return <FlagRowView {...this.props} />;
  }
}

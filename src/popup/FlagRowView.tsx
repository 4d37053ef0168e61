// One flag in the popup's list. Everything in it came from a web page: rendered as text, never as HTML.
import { Component, type ComponentChildren } from 'preact';
import type { FlagRow } from '../core/types';
import { ago, clockTime, pathOf, sourceLabel } from './model';

export interface FlagRowViewProps {
  row: FlagRow;
  /** Epoch milliseconds "now", for "2 min ago". */
  now: number;
  /** Whether an earlier load exists to compare with (otherwise no row is "changed"). */
  compared: boolean;
  /** Element Timing name for the key (the first row's: the bench measures when it is painted). */
  timing?: string;
  /**
   * Per-flag controls added by later features (why it is on, Enroll me, Revoke). Rendered in their own
   * area under the row's facts, so they never mix with what the portal reported.
   */
  children?: ComponentChildren;
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

export function FlagRowView({ row, now, compared, timing, children }: FlagRowViewProps) {
  const state = row.on ? 'on' : 'off';
  const hasExtra = children !== undefined && children !== null && children !== false;
  return (
    <li class={`flag flag--${state}`} data-testid="flag-row" data-key={row.key} data-on={String(row.on)}>
      <div class="flag__head">
        <span class={`pill pill--${state}`} data-testid="flag-state">
          {state}
        </span>
        <code class="flag__key" data-testid="flag-key" elementtiming={timing}>
          {row.key}
        </code>
        {compared && row.changed ? (
          <span
            class="mark mark--changed"
            data-testid="flag-changed"
            title={
              row.previous === undefined
                ? 'Not reported in the previous load'
                : `Was ${row.previous ? 'on' : 'off'} in the previous load`
            }
          >
            {changeText(row)}
          </span>
        ) : null}
      </div>
      <div class="flag__name">
        {row.flag !== null ? (
          <span data-testid="flag-name">{row.flag}</span>
        ) : (
          <span
            class="mark mark--unknown"
            data-testid="flag-unknown"
            title="This key is not in the extension's table of Waffle flags"
          >
            unknown key
          </span>
        )}
      </div>
      <div class="flag__meta">
        <span data-testid="flag-source" title={cached(`p${row.url}`, () => pathOf(row.url))}>
          {sourceLabel(row.source)}
        </span>
        <span aria-hidden="true"> · </span>
        <time
          data-testid="flag-captured"
          dateTime={cached(`i${row.capturedAt}`, () => new Date(row.capturedAt).toISOString())}
          title={cached(`t${row.capturedAt}`, () => new Date(row.capturedAt).toString())}
        >
          {cached(`c${row.capturedAt}`, () => clockTime(row.capturedAt))} ({ago(row.capturedAt, now)})
        </time>
      </div>
      {hasExtra ? (
        <div class="flag__extra" data-testid="flag-extra">
          {children}
        </div>
      ) : null}
    </li>
  );
}

/**
 * A row that renders again only when what it shows changed: typing in the filter, or an answer of the
 * backend for some flags, would otherwise rebuild all 500 rows. (Preact's own `memo` is in
 * preact/compat, a bundle of its own; this is the same check.)
 */
export class MemoFlagRow extends Component<FlagRowViewProps> {
  override shouldComponentUpdate(next: FlagRowViewProps): boolean {
    const p = this.props;
    return (
      next.row !== p.row ||
      next.now !== p.now ||
      next.compared !== p.compared ||
      next.timing !== p.timing ||
      next.children !== p.children
    );
  }
  override render() {
    return <FlagRowView {...this.props} />;
  }
}

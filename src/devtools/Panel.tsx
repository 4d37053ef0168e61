// The DevTools panel "Waffle": each captured response of the inspected tab in order, a separator where
// the page reloaded or navigated, and the selected response's flags and `enterprise_features` as
// received. Pure: it renders the log it is given (usePanelLog.ts feeds it). Everything is text: Preact
// renders strings as text nodes, and nothing here sets HTML.
import { useMemo, useState } from 'preact/hooks';
import {
  FEATURES_TEXT_CAP,
  flagChanges,
  MAX_LOG_ENTRIES,
  type FlagChange,
  type LogEntry,
  type LogResponse,
  type LogUnread,
} from '../core/devtools-log';
import { sourceLabel } from '../core/sources/labels';
import { formatChange, formatPath, formatSize, formatTime, prettyFeatures } from './format';

export type PanelStatus = 'connecting' | 'live' | 'disconnected' | 'no-tab';

export interface PanelProps {
  tabId: number | null;
  status: PanelStatus;
  entries: readonly LogEntry[];
}

const STATUS_TEXT: Record<PanelStatus, string> = {
  connecting: 'connecting…',
  live: 'live',
  disconnected: 'disconnected from the extension: close and reopen DevTools',
  'no-tab': 'no tab to inspect',
};

type Row =
  | { kind: 'start'; entry: Extract<LogEntry, { kind: 'start' }>; label: string }
  | { kind: 'response'; entry: LogResponse; changes: FlagChange[] | null }
  | { kind: 'unread'; entry: LogUnread };

/** The log as rows: each start says whether the page loaded, reloaded or navigated; each response what changed. */
function rowsOf(entries: readonly LogEntry[]): Row[] {
  let lastUrl: string | null = null;
  return entries.map((entry, i): Row => {
    if (entry.kind === 'start') {
      const label = lastUrl === null ? 'Page loaded' : lastUrl === entry.url ? 'Page reloaded' : 'Page navigated';
      lastUrl = entry.url;
      return { kind: 'start', entry, label };
    }
    if (entry.kind === 'unread') return { kind: 'unread', entry };
    return { kind: 'response', entry, changes: flagChanges(entries, i) };
  });
}

export function Panel({ tabId, status, entries }: PanelProps) {
  const [selected, setSelected] = useState<string | null>(null);
  const rows = useMemo(() => rowsOf(entries), [entries]);
  const responses = rows.filter((r) => r.kind !== 'start').length;
  const chosen = rows.find((r) => r.kind !== 'start' && r.entry.id === selected) ?? null;
  return (
    <main class="panel">
      <header class="bar">
        <h1 class="title">Waffle Inspector</h1>
        <p class="muted" data-testid="panel-status">
          {tabId === null ? STATUS_TEXT['no-tab'] : `Tab ${tabId}: ${STATUS_TEXT[status]}`}
          {` · ${responses} ${responses === 1 ? 'response' : 'responses'} (the last ${MAX_LOG_ENTRIES} entries are kept)`}
        </p>
      </header>
      <div class="split">
        <section class="list" aria-labelledby="list-title">
          <h2 id="list-title" class="visually-hidden">
            Captured responses, oldest first
          </h2>
          {rows.length === 0 ? (
            <p class="empty" data-testid="empty">
              No response captured in this tab yet. Responses that carry enterprise_features appear here as the page
              receives them; reload the page to see them from the start.
            </p>
          ) : (
            <table class="log">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Source</th>
                  <th scope="col">Request</th>
                  <th scope="col">Status</th>
                  <th scope="col">Size</th>
                  <th scope="col">Flags</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <LogRow key={row.entry.id} row={row} selected={row.entry.id === selected} select={setSelected} />
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="detail" aria-labelledby="detail-title" data-testid="detail">
          {chosen === null || chosen.kind === 'start' ? (
            <>
              <h2 id="detail-title">Response</h2>
              <p class="muted">Select a response to see its flags and its enterprise_features as received.</p>
            </>
          ) : chosen.kind === 'unread' ? (
            <UnreadDetail entry={chosen.entry} />
          ) : (
            <ResponseDetail entry={chosen.entry} changes={chosen.changes} />
          )}
        </section>
      </div>
    </main>
  );
}

function LogRow({ row, selected, select }: { row: Row; selected: boolean; select: (id: string) => void }) {
  if (row.kind === 'start') {
    return (
      <tr class="sep" data-testid="separator" data-label={row.label}>
        <td colSpan={7}>
          <strong>{row.label}</strong> <span class="muted">{formatTime(row.entry.at)}</span>{' '}
          <code>{formatPath(row.entry.url)}</code>
        </td>
      </tr>
    );
  }
  const e = row.entry;
  const request = (
    <button
      type="button"
      class="row-button"
      aria-pressed={selected}
      data-testid="entry-select"
      title={e.url}
      onClick={() => select(e.id)}
    >
      <span class="method">{e.method}</span> <code>{formatPath(e.url)}</code>
    </button>
  );
  if (row.kind === 'unread') {
    return (
      <tr
        data-testid="entry"
        data-kind="unread"
        data-selected={selected ? 'true' : 'false'}
        class={selected ? 'is-selected' : ''}
      >
        <td>{formatTime(e.at)}</td>
        <td>{sourceLabel(row.entry.source)}</td>
        <td>{request}</td>
        <td>—</td>
        <td>—</td>
        <td>not read</td>
        <td class="muted">{row.entry.reason}</td>
      </tr>
    );
  }
  const changes = row.changes;
  return (
    <tr
      data-testid="entry"
      data-kind="response"
      data-selected={selected ? 'true' : 'false'}
      data-flags={row.entry.flags.length}
      class={selected ? 'is-selected' : ''}
    >
      <td>{formatTime(e.at)}</td>
      <td>{sourceLabel(row.entry.source)}</td>
      <td>{request}</td>
      <td>{row.entry.status}</td>
      <td title={row.entry.size === null ? 'not recorded: the panel was not open' : `${row.entry.size} characters`}>
        {formatSize(row.entry.size)}
      </td>
      <td>{row.entry.flags.length}</td>
      <td>
        <Changes changes={changes} />
      </td>
    </tr>
  );
}

function Changes({ changes }: { changes: FlagChange[] | null }) {
  if (changes === null) return <span class="muted">first of this source</span>;
  if (changes.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="changes" data-testid="entry-changed">
      {changes.map((c) => (
        <li key={c.key} class="change" data-testid="changed-key" data-key={c.key}>
          {formatChange(c)}
        </li>
      ))}
    </ul>
  );
}

function Facts({ entry }: { entry: LogResponse | LogUnread }) {
  return (
    <dl class="facts">
      <dt>Time</dt>
      <dd>{formatTime(entry.at)}</dd>
      <dt>Source</dt>
      <dd>{sourceLabel(entry.source)}</dd>
      <dt>URL</dt>
      <dd>
        <code data-testid="detail-url">{entry.url}</code>
      </dd>
    </dl>
  );
}

function UnreadDetail({ entry }: { entry: LogUnread }) {
  return (
    <>
      <h2 id="detail-title">
        {entry.method} {formatPath(entry.url)}
      </h2>
      <Facts entry={entry} />
      <p data-testid="detail-reason">No flags were read from it: {entry.reason}</p>
    </>
  );
}

function ResponseDetail({ entry, changes }: { entry: LogResponse; changes: FlagChange[] | null }) {
  const changed = new Set((changes ?? []).map((c) => c.key));
  return (
    <>
      <h2 id="detail-title">
        {entry.method} {formatPath(entry.url)}
      </h2>
      <Facts entry={entry} />
      <h3>Changed against the previous {sourceLabel(entry.source)} response</h3>
      <Changes changes={changes} />
      <h3>Flags ({entry.flags.length})</h3>
      <table class="flags" data-testid="detail-flags">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {entry.flags.map((f) => (
            <tr key={f.key} data-testid="detail-flag" data-key={f.key} data-on={f.on ? 'true' : 'false'}>
              <td>
                <code>{f.key}</code>
                {changed.has(f.key) ? <span class="chip chip--changed">changed</span> : null}
              </td>
              <td>
                <span class={`pill ${f.on ? 'pill--on' : 'pill--off'}`}>{f.on ? 'on' : 'off'}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entry.problems.length > 0 ? (
        <>
          <h3>Not read</h3>
          <ul class="problems" data-testid="detail-problems">
            {entry.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>enterprise_features as received</h3>
      {entry.features === null ? (
        <p class="muted" data-testid="features-missing">
          Not recorded: the panel was not open when this response arrived. Reload the page with the panel open.
        </p>
      ) : (
        <>
          {entry.cut ? <p class="muted">The first {FEATURES_TEXT_CAP.toLocaleString('en')} characters only.</p> : null}
          <pre class="features" data-testid="features" tabIndex={0} aria-label="enterprise_features as received">
            {prettyFeatures(entry.features, entry.cut)}
          </pre>
        </>
      )}
    </>
  );
}

// Each tab's log for the DevTools panel (core/devtools-log.ts): what the content script already sends
// (`page/start`, `page/results`), checked by the content routes, kept in the worker's memory, at most
// MAX_LOG_ENTRIES per tab, and passed to the panels that watch the tab as it comes. Kept for every tab,
// so that a panel opened after the page loaded still lists its responses; only the size and the
// `enterprise_features` text need a panel watching (the content script sends them only then). A stopped
// worker forgets the logs: an open panel keeps its own copy.
import { addEntry, MAX_LOG_ENTRIES, type LogEntry } from '../core/devtools-log';
import type { DecodedResult } from '../core/results';

/** Gets each entry added to a watched tab's log. */
export type LogWatcher = (entry: LogEntry) => void;

export class ResponseLog {
  private logs = new Map<number, LogEntry[]>();
  private watchers = new Map<number, Set<LogWatcher>>();
  private count = 0;
  private readonly prefix: string;

  constructor(
    now: () => number = Date.now,
    private readonly max = MAX_LOG_ENTRIES,
  ) {
    this.prefix = now().toString(36);
  }

  entries(tabId: number): LogEntry[] {
    return [...(this.logs.get(tabId) ?? [])];
  }

  /** Whether a panel watches the tab. */
  watched(tabId: number): boolean {
    return (this.watchers.get(tabId)?.size ?? 0) > 0;
  }

  /** Calls `watcher` with each entry added to the tab's log; the answer stops it. */
  watch(tabId: number, watcher: LogWatcher): () => void {
    const set = this.watchers.get(tabId) ?? new Set<LogWatcher>();
    set.add(watcher);
    this.watchers.set(tabId, set);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(tabId) === set) this.watchers.delete(tabId);
    };
  }

  /** A document started in the tab (its `page/start`). */
  start(tabId: number, doc: string, url: string, at: number): void {
    this.add(tabId, { kind: 'start', id: this.id(), doc, url: url.slice(0, 2000), at });
  }

  /**
   * What a batch of document `doc` gave, as the worker decoded it (`decodeResults`): each snapshot a
   * response, each diagnostic of a source an unread response. A diagnostic of no source (a malformed
   * capture event) names no response, and the popup's diagnostics list says it already.
   */
  record(tabId: number, doc: string, results: readonly DecodedResult[]): void {
    for (const result of results) {
      if (result.kind === 'snapshot') {
        const s = result.snapshot;
        this.add(tabId, {
          kind: 'response',
          id: this.id(),
          doc,
          at: s.capturedAt,
          source: s.source,
          method: s.method,
          url: s.url,
          status: s.status,
          flags: s.flags.map((f) => ({ key: f.key, on: f.on })),
          size: result.detail?.size ?? null,
          features: result.detail?.features ?? null,
          cut: result.detail?.cut ?? false,
          problems: result.problems.map((p) => p.reason),
        });
      } else if (result.kind === 'diagnostic' && result.diagnostic.source !== null) {
        const d = result.diagnostic;
        const source = result.diagnostic.source;
        this.add(tabId, {
          kind: 'unread',
          id: this.id(),
          doc,
          at: d.at,
          source,
          method: d.method,
          url: d.url,
          reason: d.reason,
        });
      }
    }
  }

  /** The tab closed. */
  clear(tabId: number): void {
    this.logs.delete(tabId);
  }

  private id(): string {
    this.count += 1;
    return `${this.prefix}-${this.count}`;
  }

  private add(tabId: number, entry: LogEntry): void {
    this.logs.set(tabId, addEntry(this.logs.get(tabId) ?? [], entry, this.max));
    for (const watcher of this.watchers.get(tabId) ?? []) {
      try {
        watcher(entry);
      } catch {
        // A panel that went away: its port's disconnect stops it.
      }
    }
  }
}

// Per-tab state in `storage.session`: it survives the service worker being stopped, and is cleared
// when the tab closes or leaves the origin. A load keeps the snapshots still needed: one that a later
// one fully supersedes is dropped (see `supersedes`). Updates to one tab are serialised, so two messages that
// arrive together cannot overwrite each other's changes.
import type { ExtractResult } from '../core/extract';
import { featureParams } from '../core/environment';
import { latestValues, supersedes } from '../core/flags';

export { supersedes };
import {
  decodeTabState,
  encodeTabState,
  MAX_DIAGNOSTICS,
  MAX_LOADS,
  MAX_SNAPSHOTS_PER_LOAD,
  tabKey,
} from '../core/storage-keys';
import type { Diagnostic, IdentityResult, TabState } from '../core/types';

export interface SessionArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function newLoadId(now: number): string {
  return `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export class TabStore {
  private queues = new Map<number, Promise<unknown>>();
  /** States changed but not written yet (with a write delay), and the timers that will write them. */
  private unwritten = new Map<number, TabState | null>();
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  /**
   * `writeDelayMs`: how long a changed state may wait in memory before it is written, so that the
   * changes of a burst of captures make one storage write. `storage.session.set` converts the whole tab
   * state value by value, in the worker and again in the browser: with a write per capture batch it
   * was most of the extension's CPU time on a busy page (docs/BENCHMARKS.md). The risk is the worker
   * being stopped within the delay (browsers stop it after 30 s idle), which loses those changes.
   */
  constructor(
    private readonly area: SessionArea,
    private readonly now: () => number = Date.now,
    private readonly writeDelayMs = 0,
  ) {}

  async get(tabId: number): Promise<TabState | null> {
    if (this.unwritten.has(tabId)) return this.unwritten.get(tabId) ?? null;
    const key = tabKey(tabId);
    const items = await this.area.get(key);
    return decodeTabState(items[key]);
  }

  /** Runs `change` on the tab's state after every earlier change to that tab has finished. */
  private update(tabId: number, change: (state: TabState | null) => TabState | null): Promise<TabState | null> {
    const previous = this.queues.get(tabId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const updated = change(await this.get(tabId));
        if (this.writeDelayMs > 0) this.later(tabId, updated);
        else await this.write(tabId, updated);
        return updated;
      });
    this.queues.set(tabId, next);
    void next.finally(() => {
      if (this.queues.get(tabId) === next) this.queues.delete(tabId);
    });
    return next;
  }

  private async write(tabId: number, state: TabState | null): Promise<void> {
    if (state) await this.area.set({ [tabKey(tabId)]: encodeTabState(state) });
    else await this.area.remove(tabKey(tabId));
  }

  /**
   * Keeps a changed state to write. The first change after a quiet spell is written at once, so that a
   * lone capture reaches the popup without waiting; the changes that follow within writeDelayMs are
   * written together when that window ends, and each write opens a new window (a burst of captures
   * makes a write at its start and one per window after).
   */
  private later(tabId: number, state: TabState | null): void {
    this.unwritten.set(tabId, state);
    if (this.timers.has(tabId)) return; // a window is open: its end writes this
    void this.writeWaiting(tabId);
    this.openWindow(tabId);
  }

  private openWindow(tabId: number): void {
    const end = () => {
      this.timers.delete(tabId);
      if (!this.unwritten.has(tabId)) return; // nothing changed meanwhile: the window closes
      void this.writeWaiting(tabId);
      this.openWindow(tabId);
    };
    this.timers.set(tabId, setTimeout(end, this.writeDelayMs));
  }

  /** Writes the waiting state (a failed write is lost, as a stopped worker's would be: nothing to tell). */
  private writeWaiting(tabId: number): Promise<void> {
    const state = this.unwritten.get(tabId) ?? null;
    return this.write(tabId, state)
      .catch(() => undefined)
      .finally(() => {
        // A change made meanwhile waits for the window's end; this one is in storage.
        if (this.unwritten.get(tabId) === state) this.unwritten.delete(tabId);
      });
  }

  /** Writes a tab's state now if a change of it is waiting. Storage applies writes in the order made. */
  async flush(tabId: number): Promise<void> {
    clearTimeout(this.timers.get(tabId));
    this.timers.delete(tabId);
    if (this.unwritten.has(tabId)) await this.writeWaiting(tabId);
  }

  /**
   * A document started loading in the tab: open a new load, or start afresh on another origin. `doc`:
   * the document's own id (its content script's), which becomes the load's id, so that what the
   * document sends later is kept with its load even when the next document has started meanwhile.
   */
  pageStart(
    tabId: number,
    url: string,
    identity: IdentityResult,
    startedAt = this.now(),
    doc: string | null = null,
  ): Promise<TabState | null> {
    const now = startedAt;
    return this.update(tabId, (state) => {
      const origin = originOf(url);
      const load = { id: doc ?? newLoadId(now), url, startedAt: now, snapshots: [] };
      const keep = state && state.origin === origin;
      return {
        tabId,
        origin,
        url,
        identity,
        featureParams: featureParams(url),
        loads: [load, ...(keep ? state.loads : [])].slice(0, MAX_LOADS),
        diagnostics: keep ? state.diagnostics : [],
      };
    });
  }

  /** The user of the tab's current document; `doc`: from that document only (a later one may have started). */
  setIdentity(tabId: number, identity: IdentityResult, doc: string | null = null): Promise<TabState | null> {
    return this.update(tabId, (state) =>
      state && (doc === null || state.loads[0]?.id === doc) ? { ...state, identity } : state,
    );
  }

  /**
   * Keeps what several captured responses gave (core/results.ts), in order, in one update of the tab's
   * state (one storage write): the content script sends a burst of responses as one batch.
   */
  record(tabId: number, results: readonly ExtractResult[], doc: string | null = null): Promise<TabState | null> {
    const read = results.filter((r) => r.kind !== 'ignored');
    if (read.length === 0) return this.get(tabId);
    return this.update(tabId, (state) =>
      read.reduce<TabState | null>((s, r) => (s ? this.apply(s, r, doc) : s), state),
    );
  }

  /**
   * Keeps one result in the load of document `doc` (null: the current load). A document whose load is
   * no longer kept (five newer ones, or the tab went to another origin) adds nothing.
   */
  private apply(state: TabState, result: ExtractResult, doc: string | null): TabState {
    const at = doc === null ? 0 : state.loads.findIndex((l) => l.id === doc);
    const current = state.loads[at];
    if (!current || result.kind === 'ignored') return state;
    if (result.kind === 'diagnostic') return withDiagnostics(state, [result.diagnostic]);
    const fresh = result.snapshot;
    let snapshots = [...current.snapshots.filter((old) => !supersedes(fresh, old)), fresh];
    let extra: Diagnostic[] = result.problems;
    if (snapshots.length > MAX_SNAPSHOTS_PER_LOAD) {
      snapshots = snapshots.slice(-MAX_SNAPSHOTS_PER_LOAD);
      extra = [
        ...extra,
        {
          url: fresh.url,
          method: fresh.method,
          source: null,
          at: this.now(),
          reason: `more than ${MAX_SNAPSHOTS_PER_LOAD} responses in one load: only the latest are kept`,
        },
      ];
    }
    const loads = state.loads.map((l, i) => (i === at ? { ...current, snapshots } : l));
    return withDiagnostics({ ...state, loads }, extra);
  }

  dropped(tabId: number, diagnostic: Diagnostic): Promise<TabState | null> {
    return this.update(tabId, (state) => (state ? withDiagnostics(state, [diagnostic]) : null));
  }

  /** The tab is loading `origin`: forget its state if that is another origin (or one we cannot see). */
  navigated(tabId: number, origin: string): Promise<TabState | null> {
    return this.update(tabId, (state) => (state && state.origin === origin ? state : null));
  }

  clear(tabId: number): Promise<TabState | null> {
    return this.update(tabId, () => null);
  }
}

function withDiagnostics(state: TabState, added: readonly Diagnostic[]): TabState {
  if (added.length === 0) return state;
  // Repeated identical reasons for one URL are kept once (a polling page would otherwise flood the list).
  const fresh = added.filter(
    (d) =>
      !state.diagnostics.some(
        (o) => o.url === d.url && o.reason === d.reason && o.at >= (state.loads[0]?.startedAt ?? 0),
      ),
  );
  return { ...state, diagnostics: [...[...fresh].reverse(), ...state.diagnostics].slice(0, MAX_DIAGNOSTICS) };
}

/** How many flags are on in the tab's current load (what the badge shows). */
export function flagsOn(state: TabState | null): number {
  const current = state?.loads[0];
  if (!current) return 0;
  let on = 0;
  for (const row of latestValues(current.snapshots).values()) if (row.on) on += 1;
  return on;
}

// Per-tab state in `storage.session`: it survives the service worker being stopped, and is cleared
// when the tab closes or leaves the origin. Updates to one tab are serialised, so two messages that
// arrive together cannot overwrite each other's changes.
import { extract, type CapturedResponse } from '../core/extract';
import { featureParams } from '../core/environment';
import { latestValues } from '../core/flags';
import { MAX_DIAGNOSTICS, MAX_LOADS, MAX_SNAPSHOTS_PER_LOAD, tabKey } from '../core/storage-keys';
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

  constructor(
    private readonly area: SessionArea,
    private readonly now: () => number = Date.now,
  ) {}

  async get(tabId: number): Promise<TabState | null> {
    const key = tabKey(tabId);
    const items = await this.area.get(key);
    return (items[key] as TabState | undefined) ?? null;
  }

  /** Runs `change` on the tab's state after every earlier change to that tab has finished. */
  private update(tabId: number, change: (state: TabState | null) => TabState | null): Promise<TabState | null> {
    const previous = this.queues.get(tabId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const updated = change(await this.get(tabId));
        if (updated) await this.area.set({ [tabKey(tabId)]: updated });
        else await this.area.remove(tabKey(tabId));
        return updated;
      });
    this.queues.set(tabId, next);
    void next.finally(() => {
      if (this.queues.get(tabId) === next) this.queues.delete(tabId);
    });
    return next;
  }

  /** A document started loading in the tab: open a new load, or start afresh on another origin. */
  pageStart(tabId: number, url: string, identity: IdentityResult, startedAt = this.now()): Promise<TabState | null> {
    const now = startedAt;
    return this.update(tabId, (state) => {
      const origin = originOf(url);
      const load = { id: newLoadId(now), url, startedAt: now, snapshots: [] };
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

  setIdentity(tabId: number, identity: IdentityResult): Promise<TabState | null> {
    return this.update(tabId, (state) => (state ? { ...state, identity } : null));
  }

  /** Reads a captured response; keeps its flags, or the reason it could not be read. */
  captured(tabId: number, response: CapturedResponse): Promise<TabState | null> {
    const result = extract(response);
    if (result.kind === 'ignored') return this.get(tabId);
    return this.update(tabId, (state) => {
      if (!state) return null;
      const [current, ...older] = state.loads;
      if (!current) return state;
      if (result.kind === 'diagnostic') return withDiagnostics(state, [result.diagnostic]);
      let snapshots = [...current.snapshots, result.snapshot];
      let extra: Diagnostic[] = result.problems;
      if (snapshots.length > MAX_SNAPSHOTS_PER_LOAD) {
        snapshots = snapshots.slice(-MAX_SNAPSHOTS_PER_LOAD);
        extra = [
          ...extra,
          {
            url: response.url,
            method: response.method,
            source: null,
            at: this.now(),
            reason: `more than ${MAX_SNAPSHOTS_PER_LOAD} responses in one load: only the latest are kept`,
          },
        ];
      }
      return withDiagnostics({ ...state, loads: [{ ...current, snapshots }, ...older] }, extra);
    });
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

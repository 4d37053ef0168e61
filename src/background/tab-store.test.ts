import { describe, expect, it, vi } from 'vitest';
import { fixtureText } from '../../test/fixtures';
import { MemoryArea } from '../../test/memory-area';
import { extract, type CapturedResponse } from '../core/extract';
import { MAX_LOADS } from '../core/storage-keys';
import type { FlagSnapshot } from '../core/types';
import { flagsOn, supersedes, TabStore, type SessionArea } from './tab-store';

/** What the worker does with one captured response the content script read. */
const captured = (store: TabStore, tabId: number, response: CapturedResponse) =>
  store.record(tabId, [extract(response)]);

const PAGE = 'http://localhost:8734/test-enterprise';
const learner = (
  body = fixtureText('lms-enterprise-api-v1-enterprise-learner.json'),
  status = 200,
): CapturedResponse => ({
  method: 'GET',
  url: 'http://localhost:18000/enterprise/api/v1/enterprise-learner/?username=alice',
  status,
  body,
  bodyNote: null,
  capturedAt: 10,
});

describe('TabStore', () => {
  it('keeps snapshots per load and survives a new store over the same area (a restarted worker)', async () => {
    const area = new MemoryArea();
    let t = 100;
    const store = new TabStore(area, () => t++);
    await store.pageStart(7, PAGE + '?feature=x', { status: 'missing' });
    await captured(store, 7, learner());
    const again = new TabStore(area);
    const state = await again.get(7);
    expect(state?.featureParams).toEqual(['x']);
    expect(state?.loads).toHaveLength(1);
    expect(state?.loads[0]?.snapshots[0]?.flags).toHaveLength(10);
    expect(flagsOn(state)).toBe(1);
  });

  it('serialises concurrent updates to one tab: nothing is lost', async () => {
    const store = new TabStore(new MemoryArea());
    await store.pageStart(1, PAGE, { status: 'missing' });
    // Each response reports a key of its own, so that none supersedes another.
    const own = (i: number) =>
      learner(
        fixtureText('lms-enterprise-api-v1-enterprise-learner.json').replace(
          '"enterprise_features": {',
          `"enterprise_features": {"own_${i}": true, `,
        ),
      );
    await Promise.all(Array.from({ length: 20 }, (_, i) => captured(store, 1, own(i))));
    expect((await store.get(1))?.loads[0]?.snapshots).toHaveLength(20);
  });

  it('keeps one snapshot where a later response reports everything an earlier one did', async () => {
    const store = new TabStore(new MemoryArea());
    await store.pageStart(1, PAGE, { status: 'missing' }, 5);
    for (let i = 0; i < 30; i++) await captured(store, 1, { ...learner(), capturedAt: 10 + i });
    const snapshots = (await store.get(1))?.loads[0]?.snapshots ?? [];
    expect(snapshots.map((s) => s.capturedAt)).toEqual([39]);
  });

  it('supersedes only what changes nothing for any reader', () => {
    const snap = (at: number, keys: string[], enterprise = true): FlagSnapshot => ({
      source: 'enterprise-learner',
      method: 'GET',
      url: 'u',
      status: 200,
      capturedAt: at,
      flags: keys.map((key) => ({ key, flag: null, on: true })),
      enterprise: enterprise ? { uuid: 'x', name: 'X', slug: 'x' } : null,
      username: null,
    });
    expect(supersedes(snap(2, ['a', 'b']), snap(1, ['a']))).toBe(true);
    expect(supersedes(snap(2, ['a', 'b']), snap(1, ['a', 'b']))).toBe(true);
    expect(supersedes(snap(2, ['a']), snap(1, ['a', 'b']))).toBe(false); // b only in the earlier one
    expect(supersedes(snap(2, ['b', 'c']), snap(1, ['a', 'b']))).toBe(false);
    expect(supersedes(snap(1, ['a', 'b']), snap(2, ['a']))).toBe(false); // older
    expect(supersedes(snap(2, ['a'], false), snap(1, ['a']))).toBe(false); // would lose the enterprise
    expect(supersedes(snap(2, ['a']), snap(1, ['a'], false))).toBe(true);
    // Another service's endpoint: the earlier one still tells where the page's LMS (or BFF) is.
    const bff = (at: number, keys: string[]): FlagSnapshot => ({ ...snap(at, keys), source: 'bff-learner' });
    expect(supersedes(bff(2, ['a', 'b']), snap(1, ['a']))).toBe(false);
    expect(supersedes(snap(2, ['a', 'b']), bff(1, ['a']))).toBe(false);
    expect(supersedes(bff(2, ['a', 'b']), bff(1, ['a']))).toBe(true);
    expect(supersedes({ ...snap(2, ['a', 'b']), source: 'enterprise-customer' }, snap(1, ['a']))).toBe(true);
  });

  it('opens a new load per page start (keeping a few), and starts afresh on another origin', async () => {
    const store = new TabStore(new MemoryArea());
    for (let i = 0; i < MAX_LOADS + 2; i++) await store.pageStart(1, PAGE, { status: 'missing' });
    expect((await store.get(1))?.loads).toHaveLength(MAX_LOADS);
    await store.dropped(1, { url: PAGE, method: '', source: null, at: 1, reason: 'r' });
    await store.pageStart(1, 'http://localhost:1991/test-enterprise/admin/learners', { status: 'missing' });
    const state = await store.get(1);
    expect(state?.loads).toHaveLength(1);
    expect(state?.diagnostics).toEqual([]);
    await store.navigated(1, 'https://example.com');
    expect(await store.get(1)).toBeNull();
  });

  it('records a reason for unreadable responses and ignores unrelated ones', async () => {
    const store = new TabStore(new MemoryArea());
    await store.pageStart(1, PAGE, { status: 'missing' }, 5);
    await captured(store, 1, learner('<html>oops</html>'));
    await captured(store, 1, learner('<html>oops</html>'));
    await captured(store, 1, { ...learner(), url: 'http://localhost:18000/api/other/' });
    const state = await store.get(1);
    expect(state?.diagnostics.map((d) => d.reason)).toEqual([
      'the body is an HTML page, not JSON (an error page or a sign-in redirect?)',
    ]);
    expect(state?.loads[0]?.snapshots).toEqual([]);
  });

  it('with a write delay, writes the first change at once and the rest of a burst together, read back before', async () => {
    vi.useFakeTimers();
    try {
      const area = new MemoryArea();
      const written: unknown[] = [];
      const counted: SessionArea = {
        get: (k) => area.get(k),
        remove: (k) => area.remove(k),
        set: (items) => {
          written.push(Object.values(items)[0]);
          return area.set(items);
        },
      };
      const store = new TabStore(counted, () => 50, 100);
      const started = await store.pageStart(1, PAGE, { status: 'missing' }, 5);
      await vi.advanceTimersByTimeAsync(0);
      expect(written).toEqual([JSON.stringify(started)]); // at once: one string (storage-keys.ts encodeTabState)
      await captured(store, 1, { ...learner(), capturedAt: 11 });
      const last = await captured(store, 1, { ...learner(), capturedAt: 12 });
      expect(written).toHaveLength(1); // the window is open
      expect(await store.get(1)).toEqual(last);
      await vi.advanceTimersByTimeAsync(100);
      expect(written).toEqual([JSON.stringify(started), JSON.stringify(last)]); // both, in one write
      expect(await new TabStore(area).get(1)).toEqual(last); // a restarted worker reads it

      // A quiet window closes; the next lone change is written at once again.
      await vi.advanceTimersByTimeAsync(100);
      const lone = await captured(store, 1, { ...learner(), capturedAt: 14 });
      await vi.advanceTimersByTimeAsync(0);
      expect(written).toHaveLength(3);
      expect(await new TabStore(area).get(1)).toEqual(lone);

      // A change while a write is waiting, then the tab closes: storage ends empty.
      await captured(store, 1, { ...learner(), capturedAt: 13 });
      await store.clear(1);
      expect(await store.get(1)).toBeNull();
      await vi.advanceTimersByTimeAsync(100);
      expect(await new TabStore(area).get(1)).toBeNull();
      expect(written).toHaveLength(3); // the closed tab was removed, not written
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads a batch in order, in one storage write, with the same result as one by one', async () => {
    const area = new MemoryArea();
    let writes = 0;
    const counted: SessionArea = {
      get: (k) => area.get(k),
      remove: (k) => area.remove(k),
      set: (items) => {
        writes += 1;
        return area.set(items);
      },
    };
    const store = new TabStore(counted, () => 50);
    await store.pageStart(1, PAGE, { status: 'missing' }, 5);
    writes = 0;
    const batch = [
      { ...learner(), capturedAt: 11 },
      learner('<html>oops</html>'),
      { ...learner(), url: 'http://localhost:18000/api/other/' },
      { ...learner(), capturedAt: 12 },
    ];
    const dropped = { url: PAGE, method: '', source: null, at: 13, reason: 'a malformed capture event was ignored' };
    const state = await store.record(1, [...batch.map((r) => extract(r)), { kind: 'diagnostic', diagnostic: dropped }]);
    expect(writes).toBe(1);
    expect(state?.loads[0]?.snapshots.map((s) => s.capturedAt)).toEqual([12]); // 12 supersedes 11
    expect(state?.diagnostics.map((d) => d.reason)).toEqual([
      'a malformed capture event was ignored',
      expect.stringMatching(/HTML page/),
    ]);

    const one = new TabStore(new MemoryArea(), () => 50);
    await one.pageStart(1, PAGE, { status: 'missing' }, 5);
    for (const r of batch) await captured(one, 1, r);
    await one.dropped(1, dropped);
    const expected = await one.get(1);
    expect({ ...state, loads: state?.loads.map((l) => ({ ...l, id: '' })) }).toEqual({
      ...expected,
      loads: expected?.loads.map((l) => ({ ...l, id: '' })),
    });
  });

  it("keeps a document's late report with its own load, not the next document's", async () => {
    const store = new TabStore(new MemoryArea(), () => 50);
    await store.pageStart(1, PAGE, { status: 'missing' }, 5, 'doc-first-1');
    await store.pageStart(1, PAGE, { status: 'missing' }, 6, 'doc-second-2');
    // The first document's last batch (sent from pagehide) arrives after the second one started.
    const first = { ...learner(), capturedAt: 7 };
    await store.record(1, [extract(first)], 'doc-first-1');
    let state = await store.get(1);
    expect(state?.loads.map((l) => [l.id, l.snapshots.length])).toEqual([
      ['doc-second-2', 0],
      ['doc-first-1', 1],
    ]);
    expect(flagsOn(state)).toBe(0);
    // A document no longer kept, or an identity from the previous document: nothing changes.
    await store.record(1, [extract(first)], 'doc-gone-3');
    await store.setIdentity(1, { status: 'garbled', cookieName: 'c', reason: 'r' }, 'doc-first-1');
    expect(await store.get(1)).toEqual(state);
    await store.record(1, [extract({ ...learner(), capturedAt: 8 })], 'doc-second-2');
    await store.setIdentity(1, { status: 'garbled', cookieName: 'c', reason: 'r' }, 'doc-second-2');
    state = await store.get(1);
    expect(state?.loads.map((l) => l.snapshots.length)).toEqual([1, 1]);
    expect(state?.identity.status).toBe('garbled');
  });

  it('keeps the state as one JSON string, and reads anything else under its key as nothing', async () => {
    const area = new MemoryArea();
    const store = new TabStore(area, () => 50);
    const state = await store.pageStart(3, PAGE, { status: 'missing' }, 5);
    expect(area.items.get('tab:3')).toBe(JSON.stringify(state));
    for (const stored of [{ ...state }, '{"loads": 1}', 'not json', '[]', 42, null]) {
      area.items.set('tab:3', stored);
      expect(await new TabStore(area).get(3), JSON.stringify(stored)).toBeNull();
    }
  });

  it('does nothing for a tab it never saw start', async () => {
    const store = new TabStore(new MemoryArea());
    await captured(store, 9, learner());
    expect(await store.get(9)).toBeNull();
  });
});

// Keys in `storage.session` (per-tab state) and how a tab's state is kept there — one place, so the
// background and the popup agree.
import type { TabState } from './types';
export const TAB_KEY_PREFIX = 'tab:';
export const tabKey = (tabId: number): string => `${TAB_KEY_PREFIX}${tabId}`;

/**
 * A tab's state is kept as one JSON string, not as an object: `storage.session` converts a value
 * value by value on the way in and out (a tab with 500 flags is thousands of objects), which cost the
 * worker ~2 ms per write on the bench page and the popup ~10 ms per read; one string goes through as
 * one value, and `JSON.parse` is far faster than that conversion (docs/BENCHMARKS.md).
 */
export function encodeTabState(state: TabState): string {
  return JSON.stringify(state);
}

/** The state kept under a tab's key, or null when there is none (or it is not one of ours). */
export function decodeTabState(value: unknown): TabState | null {
  if (typeof value !== 'string') return null;
  try {
    const state = JSON.parse(value) as unknown;
    return typeof state === 'object' && state !== null && Array.isArray((state as TabState).loads)
      ? (state as TabState)
      : null;
  } catch {
    return null;
  }
}
/** What the popup expects the portal to show after an enrollment change (core/verify.ts). */
export const expectKey = (tabId: number): string => `expect:${tabId}`;

/** How much history a tab keeps: the current load and a few before it. */
export const MAX_LOADS = 5;
export const MAX_SNAPSHOTS_PER_LOAD = 50;
export const MAX_DIAGNOSTICS = 30;

// Keys in `storage.session` (per-tab state) — one place, so the background and the popup agree.
export const TAB_KEY_PREFIX = 'tab:';
export const tabKey = (tabId: number): string => `${TAB_KEY_PREFIX}${tabId}`;
/** What the popup expects the portal to show after an enrollment change (core/verify.ts). */
export const expectKey = (tabId: number): string => `expect:${tabId}`;

/** How much history a tab keeps: the current load and a few before it. */
export const MAX_LOADS = 5;
export const MAX_SNAPSHOTS_PER_LOAD = 50;
export const MAX_DIAGNOSTICS = 30;

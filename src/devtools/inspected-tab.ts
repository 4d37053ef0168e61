// Which tab the panel shows: the tab DevTools inspects, or, when the panel page is opened as a plain
// extension page (no `devtools` API there), the tab named by `?tab=<id>`.

/** The tab id of a `?tab=` parameter: ASCII digits only (Chromium's ids run to ten of them), or null. */
export function tabFromSearch(search: string): number | null {
  const value = new URLSearchParams(search).get('tab');
  if (value === null || !/^\d{1,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

export function inspectedTab(devtoolsTabId: number | undefined, search: string): number | null {
  return typeof devtoolsTabId === 'number' && devtoolsTabId >= 0 ? devtoolsTabId : tabFromSearch(search);
}

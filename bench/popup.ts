// Popup first render in real Chromium, with a heavy tab: 500 flags and 50 history entries.
//
// "History" is what the extension keeps per tab: page loads (at most MAX_LOADS = 5), each with the
// responses captured during it. The bench tab saw 5 loads × 10 captured responses = 50, each an
// enterprise-features map of 500 keys (MAX_FEATURE_KEYS, the most a response may carry); values
// differ between loads (so rows carry "changed" marks), the previous load had keys the current one
// lacks (the "gone" list), and the current load has 5 diagnostics. The state is built by the
// background's own TabStore from those responses (so it holds what the extension would keep), then
// written to storage.session by the service worker, for a real tab showing a page of the bench
// server; the popup page opens bound to that tab (`?tabId=`), as the Firefox tests open it.
//
// Measured from the popup's navigation start (performance.now()), by observers installed before any
// script of the page (no change to the popup's code; it names its first row for Element Timing):
// - first screenful painted: the first flag row painted (Element Timing's renderTime of the row the
//   popup marks `elementtiming="first-flag"`), which comes in the same frame as the rows that fill the
//   popup (App.tsx renders FIRST_ROWS of them in its first frame) — what the user sees;
// - all rows in the DOM (a MutationObserver), and the next frame after;
// and, for a tab with nothing captured, the moment its state is shown: the floor of any popup here.
// The first of those is also given from two later starts, leaving out what no popup can change (the
// browser committing the navigation, creating the page and its script contexts): from the arrival of
// the page's HTML (Navigation Timing's responseEnd), and from the popup's own script starting (the
// `waffle:popup-start` mark, its first statement: src/popup/start-mark.ts).
import type { Browser, Page, WebWorker } from 'puppeteer-core';
import { TabStore } from '../src/background/tab-store';
import { extract, type CapturedResponse } from '../src/core/extract';
import { encodeTabState, MAX_LOADS } from '../src/core/storage-keys';
import type { TabState } from '../src/core/types';
import { FIRST_ROWS } from '../src/popup/model';
import { fixture, identity, KNOWN_KEYS, SOURCES } from '../test/popup-data';
import { MemoryArea } from '../test/memory-area';
import { spread, type Spread } from './stats';

export const FLAGS = 500;
export const LOADS = 5;
export const RESPONSES_PER_LOAD = 10;

/** Marked by the popup's first statement (src/popup/start-mark.ts, which marks on import: not imported here). */
export const POPUP_START_MARK = 'waffle:popup-start';

export interface PopupResult {
  flags: number;
  responses: number;
  /** Snapshots the extension kept of those responses. */
  snapshots: number;
  stateBytes: number;
  runs: number;
  /** Rows the popup renders in its first frame. */
  firstRows: number;
  /** The first screenful of rows painted. */
  firstPaintMs: Spread;
  /** The first screenful of rows in the DOM. */
  firstRowsMs: Spread;
  /** The first screenful painted, from the arrival of the page's HTML (responseEnd). */
  firstPaintFromHtmlMs: Spread;
  /** The first screenful painted, from the popup's script starting (POPUP_START_MARK). */
  firstPaintFromScriptMs: Spread;
  /** The popup's script starting, from navigation. */
  scriptStartMs: Spread;
  /** All rows in the DOM, and the next frame after. */
  renderedMs: Spread;
  paintedMs: Spread;
  /** The same popup for a tab with nothing captured. */
  emptyMs: Spread;
  /** The first contentful paint of that popup (its title): nothing can be painted sooner. */
  emptyFcpMs: Spread;
  /** Every run's numbers, in run order (to pool runs or pair them across builds). */
  samples: Record<
    'firstPaint' | 'firstRows' | 'fromHtml' | 'fromScript' | 'scriptStart' | 'rendered' | 'empty' | 'emptyFcp',
    number[]
  >;
}

function keys(extra: string): string[] {
  const out = KNOWN_KEYS.slice(0, FLAGS);
  for (let i = 0; out.length < FLAGS; i++) out.push(`enterprise_bench_flag_${extra}${i}`);
  return out;
}

function response(post: boolean, features: Record<string, boolean>, capturedAt: number): CapturedResponse {
  const source = post ? SOURCES.bff : SOURCES.learner;
  const body = fixture(source.fixture);
  body['enterprise_features'] = features;
  return {
    method: source.method,
    url: source.url,
    status: 200,
    body: JSON.stringify(body),
    bodyNote: null,
    capturedAt,
  };
}

/** The heavy tab's state, as the background's TabStore keeps it after those 50 responses. */
export async function heavyState(tabId: number, url: string): Promise<TabState> {
  if (LOADS > MAX_LOADS) throw new Error(`the tab keeps at most ${MAX_LOADS} loads`);
  let clock = Date.now() - LOADS * 60_000;
  const store = new TabStore(new MemoryArea(), () => clock);
  for (let l = LOADS - 1; l >= 0; l--) {
    // Load 0 is the current one; older loads had 5 keys of their own (they "vanished" since).
    const loadKeys = l === 0 ? keys('') : [...keys('').slice(0, FLAGS - 5), ...keys('old_').slice(-5)];
    await store.pageStart(tabId, url, identity({ superuser: false }), clock);
    const responses = Array.from({ length: RESPONSES_PER_LOAD }, (_, r) => {
      const features = Object.fromEntries(loadKeys.map((k, i) => [k, (i + l + (r % 2)) % 3 === 0]));
      return response(r % 2 === 1, features, clock + 1000 + r * 100);
    });
    await store.record(
      tabId,
      responses.map((r) => extract(r)),
    );
    clock += 60_000;
  }
  const broken = Array.from({ length: 5 }, (_, i) => ({
    ...response(false, {}, clock + i),
    url: `${SOURCES.learner.url}&page=${i + 2}`,
    status: 502,
    body: '<html>Bad gateway</html>',
  }));
  const state = await store.record(
    tabId,
    broken.map((r) => extract(r)),
  );
  if (!state) throw new Error('the bench tab has no state');
  return state;
}

/**
 * Installed before any script of the popup page: records when the popup shows its first `first` rows
 * (with none: when its status line is in, i.e. the tab's state was read and shown) and when the first
 * row was painted (Element Timing), then when all `want` rows are in, and the next frame.
 */
const observer = (want: number, first: number) => `(() => {
  const want = ${want}, first = ${first};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.identifier === 'first-flag' && window.__wiFirstPaint === undefined) window.__wiFirstPaint = e.renderTime || e.loadTime;
  }).observe({ type: 'element', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') window.__wiFcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  const obs = new MutationObserver(() => {
    if (!document.querySelector('[data-testid="status"]')) return;
    const rows = document.querySelectorAll('[data-testid="flag-row"]').length;
    if (window.__wiFirstRows === undefined && rows >= first) window.__wiFirstRows = performance.now();
    if (rows < want) return;
    window.__wiRendered = performance.now();
    obs.disconnect();
    requestAnimationFrame(() => setTimeout(() => { window.__wiPainted = performance.now(); }, 0));
  });
  obs.observe(document, { childList: true, subtree: true });
})();`;

interface Times {
  /** The popup's first contentful paint (its title: "Waffle Inspector"). */
  fcp: number;
  /** The page's HTML received (Navigation Timing). */
  responseEnd: number;
  /** The popup's first statement (NaN for a build without the mark). */
  scriptStart: number;
  firstRows: number;
  firstPaint: number;
  rendered: number;
  painted: number;
}

async function serviceWorker(browser: Browser): Promise<WebWorker> {
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  const worker = await target.worker();
  if (!worker) throw new Error('the extension has no service worker');
  return worker;
}

async function once(browser: Browser, url: string, rows: number): Promise<Times> {
  const page: Page = await browser.newPage();
  try {
    await page.evaluateOnNewDocument(observer(rows, Math.min(rows, FIRST_ROWS)));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(
      (rows: number) => {
        const w = window as unknown as { __wiPainted?: number; __wiFirstPaint?: number; __wiFcp?: number };
        return w.__wiPainted !== undefined && w.__wiFcp !== undefined && (rows === 0 || w.__wiFirstPaint !== undefined);
      },
      { timeout: 30_000 },
      rows,
    );
    return await page.evaluate((mark: string) => {
      const w = window as unknown as {
        __wiFcp: number;
        __wiFirstRows: number;
        __wiFirstPaint?: number;
        __wiRendered: number;
        __wiPainted: number;
      };
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        fcp: w.__wiFcp,
        responseEnd: nav?.responseEnd ?? Number.NaN,
        scriptStart: performance.getEntriesByName(mark, 'mark')[0]?.startTime ?? Number.NaN,
        firstRows: w.__wiFirstRows,
        firstPaint: w.__wiFirstPaint ?? Number.NaN,
        rendered: w.__wiRendered,
        painted: w.__wiPainted,
      };
    }, POPUP_START_MARK);
  } finally {
    await page.close();
  }
}

export async function popupRender(options: {
  browser: Browser;
  extensionOrigin: string;
  hostUrl: string;
  runs: number;
  warmup: number;
}): Promise<PopupResult> {
  const { browser, extensionOrigin } = options;
  const host = await browser.newPage();
  await host.goto(options.hostUrl, { waitUntil: 'load' });
  const worker = await serviceWorker(browser);
  // Strings, not functions: the worker's `chrome` has no types in this Node-side code.
  const tabId = (await worker.evaluate(
    `chrome.tabs.query({}).then((tabs) => tabs.find((t) => t.url === ${JSON.stringify(options.hostUrl)})?.id ?? -1)`,
  )) as number;
  if (tabId < 0) throw new Error(`no tab shows ${options.hostUrl}`);
  const url = `${extensionOrigin}/src/popup/index.html?tabId=${tabId}`;
  const key = JSON.stringify(`tab:${tabId}`);

  // The floor: the same popup for the same tab with nothing captured (its state removed).
  await worker.evaluate(`chrome.storage.session.remove(${key})`);
  const empty: number[] = [];
  const emptyFcp: number[] = [];
  for (let i = 0; i < options.warmup + options.runs; i++) {
    const r = await once(browser, url, 0);
    if (i < options.warmup) continue;
    empty.push(r.rendered);
    emptyFcp.push(r.fcp);
  }

  const state = await heavyState(tabId, options.hostUrl);
  // As the worker keeps it: one JSON string (src/core/storage-keys.ts).
  const json = encodeTabState(state);
  await worker.evaluate(`chrome.storage.session.set({ [${key}]: ${JSON.stringify(json)} })`);
  const firstRows: number[] = [];
  const firstPaint: number[] = [];
  const fromHtml: number[] = [];
  const fromScript: number[] = [];
  const scriptStart: number[] = [];
  const rendered: number[] = [];
  const painted: number[] = [];
  for (let i = 0; i < options.warmup + options.runs; i++) {
    const r = await once(browser, url, FLAGS);
    if (i < options.warmup) continue;
    firstRows.push(r.firstRows);
    firstPaint.push(r.firstPaint);
    fromHtml.push(r.firstPaint - r.responseEnd);
    fromScript.push(r.firstPaint - r.scriptStart);
    scriptStart.push(r.scriptStart);
    rendered.push(r.rendered);
    painted.push(r.painted);
  }
  // The popup really showed the heavy state: every row, and the marks of a compared load.
  const check = await browser.newPage();
  try {
    await check.goto(url, { waitUntil: 'load' });
    await check.waitForSelector('[data-testid="flag-row"]');
    const shown = await check.$$eval('[data-testid="flag-row"]', (rows) => rows.length);
    if (shown !== FLAGS) throw new Error(`the popup showed ${shown} flag rows, expected ${FLAGS}`);
  } finally {
    await check.close();
  }
  await host.close();
  return {
    flags: FLAGS,
    responses: LOADS * RESPONSES_PER_LOAD,
    snapshots: state.loads.reduce((n, l) => n + l.snapshots.length, 0),
    stateBytes: json.length,
    runs: rendered.length,
    firstRows: Math.min(FLAGS, FIRST_ROWS),
    firstPaintMs: spread(firstPaint),
    firstRowsMs: spread(firstRows),
    firstPaintFromHtmlMs: spread(fromHtml),
    // Empty for a build whose popup does not mark its start.
    firstPaintFromScriptMs: spread(fromScript.filter(Number.isFinite)),
    scriptStartMs: spread(scriptStart.filter(Number.isFinite)),
    renderedMs: spread(rendered),
    paintedMs: spread(painted),
    emptyMs: spread(empty),
    emptyFcpMs: spread(emptyFcp),
    samples: { firstPaint, firstRows, fromHtml, fromScript, scriptStart, rendered, empty, emptyFcp },
  };
}

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
  /** Which build (`popupRender`'s builds). */
  label: string;
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
  /** The empty popup's state (its "Flags" heading) painted: the floor the target is counted from. */
  emptyPaintMs: Spread;
  /** Per round, the first screenful painted minus the empty popup's state painted (the cost of the 500 flags). */
  overEmptyMs: Spread;
  /** Every run's numbers, in run order (to pool runs or pair them across builds). */
  samples: Record<
    | 'firstPaint'
    | 'firstRows'
    | 'fromHtml'
    | 'fromScript'
    | 'scriptStart'
    | 'rendered'
    | 'empty'
    | 'emptyFcp'
    | 'emptyPaint'
    | 'overEmpty',
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
      else if (e.identifier === 'flags-heading' && window.__wiReadyPaint === undefined) window.__wiReadyPaint = e.renderTime || e.loadTime;
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
  /** The ready view (its "Flags" heading) painted: the empty popup's first paint of its state. */
  readyPaint: number;
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
    await page
      .waitForFunction(
        (rows: number) => {
          const w = window as unknown as {
            __wiPainted?: number;
            __wiFirstPaint?: number;
            __wiFcp?: number;
            __wiReadyPaint?: number;
          };
          return (
            w.__wiPainted !== undefined &&
            w.__wiFcp !== undefined &&
            w.__wiReadyPaint !== undefined &&
            (rows === 0 || w.__wiFirstPaint !== undefined)
          );
        },
        { timeout: 30_000 },
        rows,
      )
      .catch(async (e: unknown) => {
        const shown = await page.evaluate(() => ({
          rows: document.querySelectorAll('[data-testid="flag-row"]').length,
          text: document.body.innerText.slice(0, 30),
          marks: JSON.stringify([
            (window as unknown as Record<string, number>)['__wiPainted'],
            (window as unknown as Record<string, number>)['__wiFcp'],
            (window as unknown as Record<string, number>)['__wiFirstPaint'],
            document.visibilityState,
            document.querySelector('[elementtiming]')?.getBoundingClientRect().top,
            innerHeight,
          ]),
        }));
        throw new Error(`${url}: ${shown.rows} rows of ${rows} (${JSON.stringify(shown.text)}) ${shown.marks}`, {
          cause: e,
        });
      });
    return await page.evaluate((mark: string) => {
      const w = window as unknown as {
        __wiFcp: number;
        __wiFirstRows: number;
        __wiFirstPaint?: number;
        __wiReadyPaint: number;
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
        readyPaint: w.__wiReadyPaint,
        rendered: w.__wiRendered,
        painted: w.__wiPainted,
      };
    }, POPUP_START_MARK);
  } finally {
    await page.close();
  }
}

/** One build of the extension in its own browser, for `popupRender`. */
export interface PopupBuild {
  label: string;
  browser: Browser;
  extensionOrigin: string;
}

interface Prepared {
  build: PopupBuild;
  emptyUrl: string;
  heavyUrl: string;
  stateBytes: number;
  snapshots: number;
  close(): Promise<void>;
}

/** A tab of the bench portal, known to the extension's worker, with `state` (or nothing) captured. */
async function benchTab(
  build: PopupBuild,
  worker: WebWorker,
  hostUrl: string,
  state: ((tabId: number) => Promise<string>) | null,
): Promise<{ page: Page; url: string }> {
  const page = await build.browser.newPage();
  // A tab of its own: the empty tab's URL differs from the heavy tab's only by its fragment.
  const url = `${hostUrl}#${state ? 'heavy' : 'empty'}`;
  await page.goto(url, { waitUntil: 'load' });
  // Strings, not functions: the worker's `chrome` has no types in this Node-side code.
  const tabId = (await worker.evaluate(
    `chrome.tabs.query({}).then((tabs) => tabs.find((t) => t.url === ${JSON.stringify(url)})?.id ?? -1)`,
  )) as number;
  if (tabId < 0) throw new Error(`no tab shows ${url}`);
  const key = JSON.stringify(`tab:${tabId}`);
  // The worker writes the tab's own state when the page starts; the bench's state replaces it after.
  await worker.evaluate(`new Promise((resolve) => {
    const poll = () => chrome.storage.session.get(${key}).then((items) => (${key} in items ? resolve(true) : setTimeout(poll, 20)));
    poll();
  })`);
  if (state === null) await worker.evaluate(`chrome.storage.session.remove(${key})`);
  else await worker.evaluate(`chrome.storage.session.set({ [${key}]: ${JSON.stringify(await state(tabId))} })`);
  return { page, url: `${build.extensionOrigin}/src/popup/index.html?tabId=${tabId}` };
}

async function prepare(build: PopupBuild, hostUrl: string): Promise<Prepared> {
  const worker = await serviceWorker(build.browser);
  let stateBytes = 0;
  let snapshots = 0;
  const empty = await benchTab(build, worker, hostUrl, null);
  const heavy = await benchTab(build, worker, hostUrl, async (tabId) => {
    const state = await heavyState(tabId, `${hostUrl}#heavy`);
    snapshots = state.loads.reduce((n, l) => n + l.snapshots.length, 0);
    // As the worker keeps it: one JSON string (src/core/storage-keys.ts).
    const json = encodeTabState(state);
    stateBytes = json.length;
    return json;
  });
  return {
    build,
    emptyUrl: empty.url,
    heavyUrl: heavy.url,
    stateBytes,
    snapshots,
    async close() {
      await empty.page.close();
      await heavy.page.close();
    },
  };
}

/** The popup really showed the heavy state: every row. */
async function checkHeavy(p: Prepared): Promise<void> {
  const check = await p.build.browser.newPage();
  try {
    await check.goto(p.heavyUrl, { waitUntil: 'load' });
    await check.waitForFunction(
      (want: number) => document.querySelectorAll('[data-testid="flag-row"]').length === want,
      { timeout: 30_000 },
      FLAGS,
    );
  } finally {
    await check.close();
  }
}

class Samples {
  readonly firstPaint: number[] = [];
  readonly firstRows: number[] = [];
  readonly fromHtml: number[] = [];
  readonly fromScript: number[] = [];
  readonly scriptStart: number[] = [];
  readonly rendered: number[] = [];
  readonly painted: number[] = [];
  readonly empty: number[] = [];
  readonly emptyFcp: number[] = [];
  readonly emptyPaint: number[] = [];
  /** Per run: the first screenful painted minus the empty popup's state painted, in the same round. */
  readonly overEmpty: number[] = [];

  add(heavy: Times, empty: Times): void {
    this.firstRows.push(heavy.firstRows);
    this.firstPaint.push(heavy.firstPaint);
    this.fromHtml.push(heavy.firstPaint - heavy.responseEnd);
    this.fromScript.push(heavy.firstPaint - heavy.scriptStart);
    this.scriptStart.push(heavy.scriptStart);
    this.rendered.push(heavy.rendered);
    this.painted.push(heavy.painted);
    this.empty.push(empty.rendered);
    this.emptyFcp.push(empty.fcp);
    this.emptyPaint.push(empty.readyPaint);
    this.overEmpty.push(heavy.firstPaint - empty.readyPaint);
  }
}

/**
 * The popup of each build, for a tab with nothing captured (the floor) and for the heavy tab,
 * interleaved run by run (build A empty, A heavy, B empty, B heavy, ...; the order alternates each
 * round), so that the machine's drift falls on every build and both tabs alike.
 */
export async function popupRender(options: {
  builds: PopupBuild[];
  hostUrl: string;
  runs: number;
  warmup: number;
}): Promise<PopupResult[]> {
  const prepared: Prepared[] = [];
  try {
    for (const build of options.builds) prepared.push(await prepare(build, options.hostUrl));
    const samples = prepared.map(() => new Samples());
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const order = prepared.map((_, k) => k);
      if (i % 2 === 1) order.reverse();
      for (const k of order) {
        const p = prepared[k]!;
        const emptyFirst = (i + k) % 2 === 0;
        const a = await once(p.build.browser, emptyFirst ? p.emptyUrl : p.heavyUrl, emptyFirst ? 0 : FLAGS);
        const b = await once(p.build.browser, emptyFirst ? p.heavyUrl : p.emptyUrl, emptyFirst ? FLAGS : 0);
        if (i >= options.warmup) samples[k]!.add(emptyFirst ? b : a, emptyFirst ? a : b);
      }
    }
    for (const p of prepared) await checkHeavy(p);
    return prepared.map((p, k) => {
      const s = samples[k]!;
      return {
        label: p.build.label,
        flags: FLAGS,
        responses: LOADS * RESPONSES_PER_LOAD,
        snapshots: p.snapshots,
        stateBytes: p.stateBytes,
        runs: s.rendered.length,
        firstRows: Math.min(FLAGS, FIRST_ROWS),
        firstPaintMs: spread(s.firstPaint),
        firstRowsMs: spread(s.firstRows),
        firstPaintFromHtmlMs: spread(s.fromHtml),
        // Empty for a build whose popup does not mark its start.
        firstPaintFromScriptMs: spread(s.fromScript.filter(Number.isFinite)),
        scriptStartMs: spread(s.scriptStart.filter(Number.isFinite)),
        renderedMs: spread(s.rendered),
        paintedMs: spread(s.painted),
        emptyMs: spread(s.empty),
        emptyFcpMs: spread(s.emptyFcp),
        emptyPaintMs: spread(s.emptyPaint),
        overEmptyMs: spread(s.overEmpty),
        samples: {
          firstPaint: s.firstPaint,
          firstRows: s.firstRows,
          fromHtml: s.fromHtml,
          fromScript: s.fromScript,
          scriptStart: s.scriptStart,
          rendered: s.rendered,
          empty: s.empty,
          emptyFcp: s.emptyFcp,
          emptyPaint: s.emptyPaint,
          overEmpty: s.overEmpty,
        },
      };
    });
  } finally {
    for (const p of prepared) await p.close();
  }
}

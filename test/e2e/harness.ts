// Real browsers with the built extension loaded, for the e2e tier. No sleeps: everything waits on a
// condition (a target appearing, a selector, a function returning true).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Extension, type Page } from 'puppeteer-core';
import { REPO_ROOT } from '../fixtures';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const FIREFOX = process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr';
export const DIST = join(REPO_ROOT, 'dist');
/** The same build with the Firefox manifest, written by `vite build` (see vite.config.ts). */
export const DIST_FIREFOX = join(REPO_ROOT, 'dist-firefox');

/** The built extension, checked to be a production build (a dev-server dist must never be tested). */
export function builtExtension(dir = DIST): string {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath))
    throw new Error(`${dir} has no manifest.json: run \`npx vite build\` (npm test does it)`);
  const manifest = readFileSync(manifestPath, 'utf8');
  if (/localhost:5173|vite\/dist\/client|@vite\/client/.test(manifest)) {
    throw new Error(`${dir} is a dev-server build; tests run only against \`vite build\` output`);
  }
  return dir;
}

export interface ChromiumSession {
  browser: Browser;
  extension: Extension;
  close(): Promise<void>;
}

/**
 * Chromium's flags for every test and bench session, with or without the extension (comparisons need
 * the same flags on both sides): no background traffic on this closed network, no first-run UI, and
 * no sandbox when running as root.
 */
export function chromiumArgs(): string[] {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    '--disable-gpu',
    '--disable-quic',
    '--no-default-browser-check',
    '--disable-features=Translate,MediaRouter',
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return args;
}

export async function launchChromium(extDir = builtExtension()): Promise<ChromiumSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'wi-chromium-'));
  const args = chromiumArgs();
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    enableExtensions: [extDir],
    userDataDir,
    args,
  });
  const extension = await waitForExtension(browser);
  return {
    browser,
    extension,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function waitForExtension(browser: Browser): Promise<Extension> {
  await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), {
    timeout: 30_000,
  });
  const extensions = await browser.extensions();
  const extension = [...extensions.values()].find((e) => e.name === 'Waffle Inspector');
  if (!extension) throw new Error('the Waffle Inspector extension did not load');
  return extension;
}

/** Clicks the toolbar action for `page` and returns the popup page, once it has rendered. */
export async function openPopup(session: ChromiumSession, page: Page): Promise<Page> {
  await page.bringToFront();
  const prefix = `chrome-extension://${session.extension.id}/src/popup/`;
  const waiting = session.browser.waitForTarget((t) => t.url().startsWith(prefix), { timeout: 20_000 });
  await page.triggerExtensionAction(session.extension);
  const target = await waiting;
  const popup = await target.asPage();
  await popup.waitForSelector('[data-testid="status"]', { timeout: 20_000 });
  return popup;
}

/** Opens the popup page in a tab bound to `tabId` (what Firefox tests do; also handy for screenshots). */
export async function openPopupInTab(session: ChromiumSession, tabId: number): Promise<Page> {
  const page = await session.browser.newPage();
  await page.goto(`chrome-extension://${session.extension.id}/src/popup/index.html?tabId=${tabId}`);
  await page.waitForSelector('[data-testid="status"]', { timeout: 20_000 });
  return page;
}

/** Evaluates in the extension's service worker. */
export async function inWorker<T>(session: ChromiumSession, fn: string): Promise<T> {
  const [worker] = await session.extension.workers();
  if (!worker) throw new Error('the extension has no running service worker');
  return (await worker.evaluate(fn)) as T;
}

/**
 * Waits until the stand-in portal in `page` has had every answer it asked for (`window.__pending`).
 * Polled on a timer, not on animation frames (puppeteer's default): the portal's tab is hidden whenever
 * an extension page is opened as a tab (Firefox's popup, the DevTools panel), and a hidden page runs none.
 */
export async function portalSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __pending: number }).__pending === 0, {
    timeout: 15_000,
    polling: 50,
  });
}

/** The popup's row of a flag's response key. */
export const flagRow = (key: string) => `[data-testid="flag-row"][data-key="${key}"]`;

/** Opens a flag's row in the popup (its details, enroll form, countdown), if it is not open already. */
export async function expandRow(popup: Page, key: string): Promise<void> {
  const toggle = `${flagRow(key)} [data-testid="flag-toggle"]`;
  await popup.waitForSelector(toggle, { timeout: 15_000 });
  if ((await popup.$eval(toggle, (el) => el.getAttribute('aria-expanded'))) !== 'true') await popup.click(toggle);
}

/** The source id of each call the devstack's stand-in portal lists by its own name (`backend/devstack/portals.py`). */
const PORTAL_SOURCES: Readonly<Record<string, string>> = { 'bff-learner-dashboard': 'bff-learner' };

/**
 * Opens the popup on the devstack's stand-in portal in `page` once the popup shows the portal's whole
 * load. The portal sends its calls from a `<head>` script, so `goto` and `waitForNavigation` return at
 * the load event while they are still in flight, and each answer the extension captures later re-renders
 * the popup: its rows re-sort ("on" first) when a later answer says otherwise (the LMS's and the BFF's
 * differ, and a percentage flag is drawn again for each request), and the row that a click was aimed at
 * is then somewhere else: no form opens, no reload starts, another row opens. So this waits until the
 * portal has had every answer (it marks its body `data-loaded`), then until the extension keeps the last
 * of them in this document's load, then until each row reads as those answers say (its value from the
 * last answer that named it), and the LMS's own answers (the why chips) are in.
 */
export async function openPopupOnPortal(open: (page: Page) => Promise<Page>, page: Page): Promise<Page> {
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
  // The portal lists each service's answer in the order the answers came: the order of the captures.
  const portal = await page.$$eval('[data-testid="source"]', (sections) => {
    const on: Record<string, string> = {};
    for (const section of sections) {
      for (const li of section.querySelectorAll('[data-testid="feature"]')) {
        on[li.getAttribute('data-key') ?? ''] = li.getAttribute('data-value') ?? '';
      }
    }
    const last = sections[sections.length - 1]?.getAttribute('data-source') ?? '';
    return { on, last, url: location.href, since: Math.floor(performance.timeOrigin) };
  });
  if (Object.keys(portal.on).length === 0) throw new Error('the portal shows no flags');
  const popup = await open(page);
  // What the background keeps for the tab (src/core/storage-keys.ts: one JSON string per tab), read as the popup reads it.
  await popup.waitForFunction(
    async (url: string, source: string, since: number) => {
      type Kept = { url: string; loads: { startedAt: number; snapshots: { source: string; capturedAt: number }[] }[] };
      type Api = { storage: { session: { get(keys: null): Promise<Record<string, unknown>> } } };
      const g = globalThis as unknown as { browser?: Api; chrome?: Api };
      const all = await (g.browser ?? g.chrome)?.storage.session.get(null);
      if (!all) return false;
      return Object.entries(all).some(([k, v]) => {
        if (!k.startsWith('tab:') || typeof v !== 'string') return false;
        const kept = JSON.parse(v) as Kept;
        const load = kept.url === url ? kept.loads[0] : undefined;
        return (
          !!load && load.startedAt >= since && load.snapshots.some((s) => s.source === source && s.capturedAt >= since)
        );
      });
    },
    { timeout: 15_000 },
    portal.url,
    PORTAL_SOURCES[portal.last] ?? portal.last,
    portal.since,
  );
  await popup
    .waitForFunction(
      (on: Record<string, string>) => {
        const rows = [...document.querySelectorAll('[data-testid="flag-row"]')];
        return (
          rows.length === Object.keys(on).length &&
          rows.every((el) => el.getAttribute('data-on') === on[el.getAttribute('data-key') ?? ''])
        );
      },
      { timeout: 15_000 },
      portal.on,
    )
    .catch(async (e: unknown) => {
      const shown = await popup.$$eval('[data-testid="flag-row"]', (els) =>
        els.map((el) => `${el.getAttribute('data-key')}=${el.getAttribute('data-on')}`).join(', '),
      );
      throw new Error(`${String(e)}\nthe portal's answers: ${JSON.stringify(portal.on)}\nthe popup: ${shown}`);
    });
  await popup.waitForFunction(() => !document.querySelector('[data-testid="backend-loading"]'), { timeout: 15_000 });
  return popup;
}

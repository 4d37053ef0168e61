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

/** The popup's row of a flag's response key. */
export const flagRow = (key: string) => `[data-testid="flag-row"][data-key="${key}"]`;

/** Opens a flag's row in the popup (its details, enroll form, countdown), if it is not open already. */
export async function expandRow(popup: Page, key: string): Promise<void> {
  const toggle = `${flagRow(key)} [data-testid="flag-toggle"]`;
  await popup.waitForSelector(toggle, { timeout: 15_000 });
  if ((await popup.$eval(toggle, (el) => el.getAttribute('aria-expanded'))) !== 'true') await popup.click(toggle);
}

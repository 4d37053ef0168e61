// One way for every e2e suite to get a real browser, with or without the built extension:
//   const s = await launch('chromium' | 'firefox', { extension: true });
// Suites written against this run in both browsers by looping over BROWSERS.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import {
  builtExtension,
  CHROMIUM,
  chromiumArgs,
  DIST_FIREFOX,
  FIREFOX,
  launchChromium,
  openPopup,
  openPopupInTab,
  type ChromiumSession,
} from './harness';
import { GECKO_ID } from '../../scripts/firefox-manifest';

export type BrowserName = 'chromium' | 'firefox';
/**
 * The browsers the e2e suites run in: both, or those named in WI_E2E_BROWSERS (comma-separated),
 * for running one browser locally.
 */
export const BROWSERS: readonly BrowserName[] = (['chromium', 'firefox'] as const).filter(
  (b) =>
    !process.env['WI_E2E_BROWSERS'] ||
    process.env['WI_E2E_BROWSERS']
      .split(',')
      .map((s) => s.trim())
      .includes(b),
);

export interface LaunchOptions {
  /** Load the built extension (default true). False gives the same browser without it, for comparisons. */
  extension?: boolean;
}

export interface Session {
  name: BrowserName;
  browser: Browser;
  withExtension: boolean;
  /** `chrome-extension://<id>` or `moz-extension://<uuid>`; null without the extension. */
  extensionOrigin: string | null;
  newPage(): Promise<Page>;
  /** The popup for the tab showing `page`, rendered. */
  openPopup(page: Page): Promise<Page>;
  /** One of the extension's own pages (e.g. `src/options/index.html`) in a new tab, loaded. */
  openExtensionPage(path: string): Promise<Page>;
  /**
   * Makes the next `permissions.request` for `pattern` succeed, as if the user pressed "Allow" (no
   * browser lets puppeteer click its permission prompt). Chromium: the user adds the site in the
   * extension's site access settings (chrome://extensions); Firefox: the profile accepts optional
   * permission requests without the prompt (see firefoxPrefs).
   */
  allowOptionalHost(pattern: string): Promise<void>;
  close(): Promise<void>;
}

const noExtension = () => Promise.reject(new Error('no extension in this session'));

/** A session of a browser without the extension (the baseline of comparisons). */
function plainSession(name: BrowserName, browser: Browser, cleanUp: () => void = () => undefined): Session {
  return {
    name,
    browser,
    withExtension: false,
    extensionOrigin: null,
    newPage: () => browser.newPage(),
    openPopup: noExtension,
    openExtensionPage: noExtension,
    allowOptionalHost: noExtension,
    close: async () => {
      await browser.close().catch(() => undefined);
      cleanUp();
    },
  };
}

async function chromium(options: LaunchOptions): Promise<Session> {
  if (options.extension === false) {
    const userDataDir = mkdtempSync(join(tmpdir(), 'wi-chromium-plain-'));
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      pipe: true,
      userDataDir,
      args: chromiumArgs(),
    });
    return plainSession('chromium', browser, () => rmSync(userDataDir, { recursive: true, force: true }));
  }
  const s: ChromiumSession = await launchChromium();
  const origin = `chrome-extension://${s.extension.id}`;
  return {
    name: 'chromium',
    browser: s.browser,
    withExtension: true,
    extensionOrigin: origin,
    newPage: () => s.browser.newPage(),
    openPopup: (page) => openPopup(s, page),
    async openExtensionPage(path) {
      const page = await s.browser.newPage();
      await page.goto(`${origin}/${path.replace(/^\//, '')}`, { waitUntil: 'load' });
      return page;
    },
    async allowOptionalHost(pattern) {
      const settings = await s.browser.newPage();
      try {
        await settings.goto('chrome://extensions/');
        await settings.evaluate(
          `chrome.developerPrivate.addHostPermission(${JSON.stringify(s.extension.id)}, ${JSON.stringify(pattern)})`,
        );
      } finally {
        await settings.close();
      }
    },
    close: () => s.close(),
  };
}

/**
 * Preferences of the Firefox test profile.
 * - `extensions.webextensions.uuids` fixes the add-on's moz-extension UUID (otherwise random per
 *   profile), so the tests know the popup's URL.
 * - `extensions.originControls.grantByDefault` (true by default since Firefox 127, set here so a
 *   changed default cannot silently turn capture off): an MV3 add-on's `host_permissions` and content
 *   script hosts are granted at install, as a user accepting the install prompt would grant them.
 *   Without it Firefox treats them as optional and the content scripts would not run until the user
 *   allows each site (about:addons → Waffle Inspector → Permissions).
 */
function firefoxPrefs(uuid: string): Record<string, unknown> {
  return {
    'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
    'extensions.originControls.grantByDefault': true,
    // `permissions.request` from the options page is granted without the doorhanger puppeteer cannot
    // click; what it stands for is the user pressing "Allow".
    'extensions.webextOptionalPermissionPrompts': false,
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
  };
}

/**
 * Loads an extension page in `page`. Firefox's WebDriver BiDi refuses to navigate a tab to a
 * `moz-extension:` URL unless the browser runs with `--remote-allow-system-access` (set in
 * `firefox()`), and puppeteer's `goto` then waits for network events that extension pages never
 * produce; so this asks the frame's BiDi browsing context to navigate and waits for `complete`.
 */
async function gotoExtensionPage(page: Page, url: string): Promise<void> {
  const frame = page.mainFrame() as unknown as {
    browsingContext?: { navigate(url: string, wait: 'none' | 'interactive' | 'complete'): Promise<unknown> };
  };
  if (!frame.browsingContext) throw new Error('this puppeteer version does not expose the BiDi browsing context');
  await frame.browsingContext.navigate(url, 'complete');
  await page.waitForFunction((href) => location.href === href && document.readyState === 'complete', {}, url);
}

async function firefox(options: LaunchOptions): Promise<Session> {
  const withExtension = options.extension !== false;
  const uuid = randomUUID();
  const dir = withExtension ? builtExtension(DIST_FIREFOX) : null;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    // Only so that the tests may open moz-extension: pages (see gotoExtensionPage).
    args: withExtension ? ['--remote-allow-system-access'] : [],
    extraPrefsFirefox: withExtension ? firefoxPrefs(uuid) : {},
  });
  if (!dir) {
    return plainSession('firefox', browser);
  }
  try {
    // WebDriver BiDi `webExtension.install`: a temporary add-on, as about:debugging loads one.
    const id = await browser.installExtension(dir);
    if (id !== GECKO_ID) throw new Error(`installed add-on id ${id}, expected ${GECKO_ID}`);
  } catch (e) {
    await browser.close().catch(() => undefined);
    throw e;
  }
  const origin = `moz-extension://${uuid}`;
  const openExtensionPage = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    await gotoExtensionPage(page, `${origin}/${path.replace(/^\//, '')}`);
    return page;
  };
  return {
    name: 'firefox',
    browser,
    withExtension: true,
    extensionOrigin: origin,
    newPage: () => browser.newPage(),
    openExtensionPage,
    allowOptionalHost: () => Promise.resolve(),
    // Puppeteer cannot click a Firefox toolbar button, so the popup page opens in a tab of its own,
    // bound to the portal's tab by `?tabId=` (see src/popup/useTabState.ts). The tab id is found
    // from that extension page: the most recently used tab showing the portal page's URL.
    async openPopup(page) {
      await page.bringToFront();
      const url = await page.evaluate(() => location.href);
      const popup = await openExtensionPage('src/popup/index.html');
      const tabId = await popup.evaluate(async (href) => {
        type Tab = { id?: number; url?: string; lastAccessed?: number };
        const api = (
          globalThis as unknown as {
            browser: { tabs: { query(q: object): Promise<Tab[]>; getCurrent(): Promise<Tab | undefined> } };
          }
        ).browser;
        const self = (await api.tabs.getCurrent())?.id;
        const recent = (await api.tabs.query({}))
          .filter((t) => t.id !== undefined && t.id !== self)
          .sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
        // Without a host permission for a page the extension cannot see its URL: then the tab the
        // user was on, the most recently used one, as the toolbar button would pick it.
        return (recent.find((t) => t.url === href) ?? recent.find((t) => t.url === undefined))?.id ?? -1;
      }, url);
      if (tabId < 0) throw new Error(`no tab shows ${url}`);
      await gotoExtensionPage(popup, `${origin}/src/popup/index.html?tabId=${tabId}`);
      await popup.waitForSelector('[data-testid="status"]', { timeout: 20_000 });
      return popup;
    },
    close: () => browser.close().catch(() => undefined),
  };
}

export function launch(name: BrowserName, options: LaunchOptions = {}): Promise<Session> {
  return name === 'chromium' ? chromium(options) : firefox(options);
}

export { openPopupInTab };

/**
 * The id of the tab showing `url`, asked from one of the extension's pages (it sees the URLs of the
 * hosts it may access), e.g. to open the DevTools panel page bound to that tab by `?tab=`.
 */
export async function tabIdOf(session: Session, url: string): Promise<number> {
  const helper = await session.openExtensionPage('src/devtools/panel.html');
  try {
    const tabId = (await helper.evaluate(
      `(globalThis.browser ?? globalThis.chrome).tabs.query({}).then((tabs) => tabs.find((t) => t.url === ${JSON.stringify(url)})?.id ?? -1)`,
    )) as number;
    if (tabId < 0) throw new Error(`no tab shows ${url}`);
    return tabId;
  } finally {
    await helper.close();
  }
}

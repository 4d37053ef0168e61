// One way for every e2e suite to get a real browser, with or without the built extension:
//   const s = await launch('chromium' | 'firefox', { extension: true });
// Suites written against this run in both browsers by looping over BROWSERS.
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, openPopup, openPopupInTab, type ChromiumSession } from './harness';
import puppeteer from 'puppeteer-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM } from './harness';

export type BrowserName = 'chromium' | 'firefox';
export const BROWSERS: readonly BrowserName[] = ['chromium', 'firefox'];

export interface LaunchOptions {
  /** Load the built extension (default true). False gives the same browser without it, for comparisons. */
  extension?: boolean;
}

export interface Session {
  name: BrowserName;
  browser: Browser;
  withExtension: boolean;
  newPage(): Promise<Page>;
  /** The popup for the tab showing `page`, rendered. */
  openPopup(page: Page): Promise<Page>;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-gpu',
  '--disable-quic',
  '--no-default-browser-check',
];

async function chromium(options: LaunchOptions): Promise<Session> {
  if (options.extension === false) {
    const userDataDir = mkdtempSync(join(tmpdir(), 'wi-chromium-plain-'));
    const args = [...CHROMIUM_ARGS];
    if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, pipe: true, userDataDir, args });
    return {
      name: 'chromium',
      browser,
      withExtension: false,
      newPage: () => browser.newPage(),
      openPopup: () => Promise.reject(new Error('no extension in this session')),
      close: async () => {
        await browser.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  }
  const s: ChromiumSession = await launchChromium();
  return {
    name: 'chromium',
    browser: s.browser,
    withExtension: true,
    newPage: () => s.browser.newPage(),
    openPopup: (page) => openPopup(s, page),
    close: () => s.close(),
  };
}

async function firefox(_options: LaunchOptions): Promise<Session> {
  throw new Error('Firefox sessions are not implemented yet (issue 6)');
}

export function launch(name: BrowserName, options: LaunchOptions = {}): Promise<Session> {
  return name === 'chromium' ? chromium(options) : firefox(options);
}

export { openPopupInTab };

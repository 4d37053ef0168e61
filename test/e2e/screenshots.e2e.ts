// The README's pictures, taken from the real devstack in Chromium at the popup's default size, light and
// dark: staff on a learner page, a learner read-only, the open row of a live enrollment, support's
// "View as user" comparison, the options page. They go to artifacts/, and to docs/images/ with
// WI_UPDATE_SCREENSHOT=1 (`WI_UPDATE_SCREENSHOT=1 npx vitest run --project e2e test/e2e/screenshots.e2e.ts`).
// Each picture also checks what it is meant to show, so a broken page fails here instead of in the README.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures';
import { launch, type Session } from './browsers';
import { signInBrowser, startTestDevstack, type TestDevstack } from './devstack';
import { openPopupOnPortal } from './harness';

const LEARNER_PORTAL = 'http://localhost:8734/test-enterprise';
const OFF_FOR_ALL = 'enterprise_ai_pathways_operator_enabled';
const THEMES = ['light', 'dark'] as const;
/** Chromium's largest popup is 800 x 600; ours is 400 px wide. */
const POPUP_SIZE = { width: 400, height: 600 };

const row = (key: string) => `[data-testid="flag-row"][data-key="${key}"]`;

async function picture(page: Page, name: string, popup = true): Promise<void> {
  const dir = process.env['WI_UPDATE_SCREENSHOT'] ? join(REPO_ROOT, 'docs', 'images') : join(REPO_ROOT, 'artifacts');
  mkdirSync(dir, { recursive: true });
  // The popup's window is as wide as its page (400 px), whatever the viewport the browser gave it.
  const clip = popup
    ? await page.evaluate(() => ({
        x: 0,
        y: window.scrollY, // a clip is in the document's coordinates, not the viewport's
        width: Math.ceil(document.body.getBoundingClientRect().width),
        height: Math.min(window.innerHeight, 600),
      }))
    : undefined;
  if (clip) expect(clip.width).toBe(POPUP_SIZE.width);
  for (const theme of THEMES) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
    await page.screenshot({ path: join(dir, `${name}-${theme}.png`), ...(clip ? { clip } : {}) });
  }
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
}

/** The popup for `page`, at its default size, once the LMS has answered (controls or read-only). */
async function popupOf(session: Session, page: Page): Promise<Page> {
  // Once the popup shows the portal's whole load: rows re-sort while answers still come in (harness.ts).
  const popup = await openPopupOnPortal((p) => session.openPopup(p), page);
  await popup.setViewport(POPUP_SIZE);
  // The filter has the focus on open; the pictures show the list without the focus ring.
  await popup.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  return popup;
}

/** Whether the whole of an element is inside the popup's default size (no scrolling). */
function inView(popup: Page, selector: string): Promise<boolean> {
  return popup.$eval(selector, (el) => el.getBoundingClientRect().bottom <= window.innerHeight);
}

describe('README screenshots in chromium', () => {
  let devstack: TestDevstack;
  let session: Session;

  beforeAll(async () => {
    [devstack, session] = await Promise.all([startTestDevstack(), launch('chromium')]);
  });
  afterAll(async () => {
    await session?.close();
    await devstack?.stop();
  });

  it('staff on a learner page: the header and all ten flags fit without scrolling', async () => {
    await signInBrowser(session.browser, devstack.urls.lms, 'staff');
    const page = await session.newPage();
    await page.goto(LEARNER_PORTAL);
    const popup = await popupOf(session, page);
    await popup.waitForFunction(() => document.querySelectorAll('[data-testid="flag-row"]').length === 10, {
      timeout: 15_000,
    });
    await popup.waitForSelector('[data-testid="flag-why"]', { timeout: 15_000 });
    expect(await inView(popup, '[data-testid="flag-row"]:last-child')).toBe(true);
    // Nothing in the header or a row wraps: each is one line (test/e2e/header.e2e.ts measures the header).
    const lines = await popup.$$eval('.header__line, .flag__line', (els) =>
      els.map((e) => Math.round(e.getBoundingClientRect().height)),
    );
    expect(lines.length).toBe(12);
    expect(Math.max(...lines)).toBeLessThanOrEqual(30);
    await picture(popup, 'popup-staff');
    await popup.close();
    await page.close();
  });

  it('the open row of a live enrollment, with its countdown and Revoke', async () => {
    await signInBrowser(session.browser, devstack.urls.lms, 'staff');
    const page = await session.newPage();
    await page.goto(LEARNER_PORTAL);
    let popup = await popupOf(session, page);
    await popup.click(`${row(OFF_FOR_ALL)} [data-testid="flag-action"]`);
    await popup.click(`${row(OFF_FOR_ALL)} [data-testid="enroll-open"]`);
    await popup.type(`${row(OFF_FOR_ALL)} [data-testid="enroll-reason"]`, 'QA-1234: try AI pathways before launch');
    await popup.click(`${row(OFF_FOR_ALL)} [data-testid="enroll-submit"]`);
    await popup.waitForSelector(`${row(OFF_FOR_ALL)} [data-testid="reload-to-verify"]`, { timeout: 15_000 });
    const navigated = page.waitForNavigation();
    await popup.click(`${row(OFF_FOR_ALL)} [data-testid="reload-to-verify"]`);
    await navigated;
    await popup.close().catch(() => undefined);
    popup = await popupOf(session, page);
    await popup.waitForSelector(`${row(OFF_FOR_ALL)}[data-on="true"]`, { timeout: 15_000 });
    await popup.click(`${row(OFF_FOR_ALL)} [data-testid="flag-toggle"]`);
    await popup.waitForSelector(`${row(OFF_FOR_ALL)} [data-testid="verify"][data-verdict="confirmed"]`, {
      timeout: 15_000,
    });
    expect(await popup.$eval(`${row(OFF_FOR_ALL)} [data-testid="flag-why"]`, (e) => e.textContent)).toMatch(
      /^enrolled \d+h \d\dm$/,
    );
    await picture(popup, 'popup-enrolled');
    await popup.click(`${row(OFF_FOR_ALL)} [data-testid="revoke"]`);
    await popup.waitForSelector(`${row(OFF_FOR_ALL)} [data-testid="reload-to-verify"]`, { timeout: 15_000 });
    await popup.close();
    await page.close();
  });

  it('a learner: the flags read-only', async () => {
    await signInBrowser(session.browser, devstack.urls.lms, 'learner');
    const page = await session.newPage();
    await page.goto(LEARNER_PORTAL);
    const popup = await popupOf(session, page);
    await popup.waitForSelector('[data-testid="read-only"]', { timeout: 15_000 });
    expect(await popup.$('[data-testid="flag-action"]')).toBeNull();
    await picture(popup, 'popup-learner');
    await popup.close();
    await page.close();
  });

  it('support: View as user, their flags next to mine with the differences first', async () => {
    await signInBrowser(session.browser, devstack.urls.lms, 'support');
    const page = await session.newPage();
    await page.goto(LEARNER_PORTAL);
    const popup = await popupOf(session, page);
    await popup.click('[data-testid="view-as-open"]');
    await popup.type('[data-testid="view-as-user"]', 'learner');
    const suggestion = '[data-testid="user-suggestion"][data-username="learner2"]';
    await popup.waitForSelector(suggestion, { visible: true, timeout: 15_000 });
    await popup.click(suggestion);
    await popup.waitForSelector('[data-testid="view-as-result"][data-user="learner2"]', { timeout: 15_000 });
    await popup.waitForSelector('[data-testid="compare-row"][data-differs="true"]', { timeout: 15_000 });
    // The section from its heading, as far as the popup shows.
    await popup.$eval('[data-testid="view-as"]', (el) => el.scrollIntoView({ block: 'start' }));
    await popup.waitForFunction(
      () => Math.abs(document.querySelector('[data-testid="view-as"]')!.getBoundingClientRect().top) < 2,
      { timeout: 15_000 },
    );
    await popup.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await picture(popup, 'popup-support');
    await popup.close();
    await page.close();
  });

  it('the options page', async () => {
    const page = await session.openExtensionPage('src/options/index.html');
    await page.setViewport({ width: 900, height: 700 });
    await page.waitForSelector('[data-testid="no-custom"]', { timeout: 15_000 });
    await picture(page, 'options', false);
    await page.close();
  });
});

// Testing mode against the real devstack: "Force off / Force on" set the dwft_<flag> cookie on the LMS
// origin (the optional cookies permission asked for at that click), the LMS's next answer follows it,
// the BFF's does not (it asks the LMS without the browser's cookies: the row says the sources differ),
// and "Clear" brings the flag back.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS, launch, type Session } from './browsers';
import { signInBrowser, startTestDevstack, type TestDevstack } from './devstack';
import { expandRow, flagRow, openPopupOnPortal } from './harness';

const LEARNER_PORTAL = 'http://localhost:8734/test-enterprise';
// Seeded with testing on (backend/devstack seed_devstack.py).
const TESTING = { key: 'enterprise_edit_highlights_enabled', flag: 'enterprise.edit_highlights_enabled' };
const row = flagRow(TESTING.key);

/** The value each source reported for the flag in the popup's current load. */
async function valuesOf(popup: Page): Promise<Record<string, string>> {
  return popup.$$eval(`${row} [data-testid="flag-source-value"]`, (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-source') ?? '', e.getAttribute('data-on') ?? ''])),
  );
}

describe.each(BROWSERS)('testing mode against the devstack in %s', (browserName) => {
  let devstack: TestDevstack;
  let session: Session;

  beforeAll(async () => {
    [devstack, session] = await Promise.all([startTestDevstack(), launch(browserName)]);
    if (browserName === 'chromium') await session.allowOptionalHost('http://localhost/*');
  });
  afterAll(async () => {
    await session?.close();
    await devstack?.stop();
  });

  /** The popup on the portal's current load, the testing flag's row open, both sources in. */
  async function openRow(page: Page, lms: string, bff: string): Promise<Page> {
    const popup = await openPopupOnPortal((p) => session.openPopup(p), page);
    await expandRow(popup, TESTING.key);
    // The LMS's value: the latest LMS source of the load (enterprise-learner, or enterprise-customer for staff).
    await popup.waitForFunction(
      (sel, l, b) => {
        const values = [...document.querySelectorAll(`${sel} [data-testid="flag-source-value"]`)];
        const on = (bff: boolean) =>
          values.find((v) => (v.getAttribute('data-source') === 'bff-learner') === bff)?.getAttribute('data-on');
        return on(false) === l && on(true) === b;
      },
      { timeout: 15_000 },
      row,
      lms,
      bff,
    );
    await popup.waitForSelector(`${row} [data-testid="testing-mode"]`, { timeout: 15_000 });
    return popup;
  }

  /** Clicks a testing-mode button, waits for the override to show, then reloads the tab from the popup. */
  async function force(popup: Page, page: Page, button: string, override: string): Promise<void> {
    await popup.click(`${row} [data-testid="${button}"]`);
    await popup.waitForSelector(`${row} [data-testid="testing-mode"][data-override="${override}"]`, {
      timeout: 15_000,
    });
    const navigated = page.waitForNavigation();
    await popup.click(`${row} [data-testid="force-reload"]`);
    await navigated;
    await popup.close().catch(() => undefined);
  }

  it('force on, force off, clear: the LMS follows the cookie, the BFF does not, and the row says so', async () => {
    await signInBrowser(session.browser, devstack.urls.lms, 'staff');
    const page = await session.newPage();
    await page.goto(LEARNER_PORTAL);
    // Off for staff (the seed lists no criterion that staff meet) from both services.
    let popup = await openRow(page, 'false', 'false');
    expect(await popup.$eval(row, (e) => e.getAttribute('data-differs'))).toBeNull();
    expect(await popup.$eval(`${row} [data-testid="flag-action"]`, (e) => e.textContent)).toBe('Enroll…');

    // Force on: the LMS now answers on for this browser; the BFF, which never sees the cookie, off.
    await force(popup, page, 'force-on', 'on');
    const cookie = () => session.browser.cookies().then((all) => all.find((c) => c.name === `dwft_${TESTING.flag}`));
    expect((await cookie())?.value).toBe('True');
    popup = await openRow(page, 'true', 'false');
    expect(await popup.$eval(row, (e) => e.getAttribute('data-differs'))).toBe('true');
    // One entry per source, the LMS's first: its one or two (for staff, enterprise-customer, and
    // enterprise-learner too when it came after it: naming no enterprise, it does not replace it), then the BFF's.
    const differs = await popup.$eval(`${row} [data-testid="flag-differs"]`, (e) => e.getAttribute('title') ?? '');
    expect(differs).toMatch(/^Sources differ: /);
    const said = differs.slice('Sources differ: '.length).split(', ');
    expect(said.filter((s) => s === 'BFF (BFF learner) said off')).toHaveLength(1);
    const lms = said.filter((s) => !s.startsWith('BFF '));
    expect(lms.length).toBeGreaterThanOrEqual(1);
    for (const s of lms) expect(s).toMatch(/^LMS \(enterprise-(learner|customer)\) said on$/);
    expect(said.at(-1)).toBe('BFF (BFF learner) said off');
    expect(await popup.$eval(`${row} [data-testid="testing-state"]`, (e) => e.textContent)).toMatch(/forced on/);

    // Force off: the LMS reads it off.
    await force(popup, page, 'force-off', 'off');
    expect((await cookie())?.value).toBe('False');
    popup = await openRow(page, 'false', 'false');
    // Every source of the load reads it off (the LMS's one or two, enterprise-learner and enterprise-customer, and the BFF).
    expect(new Set(Object.values(await valuesOf(popup)))).toEqual(new Set(['false']));

    // Clear: the cookie is gone and waffle's own criteria decide again.
    await force(popup, page, 'force-clear', 'null');
    expect(await cookie()).toBeUndefined();
    popup = await openRow(page, 'false', 'false');
    expect(await popup.$eval(`${row} [data-testid="testing-state"]`, (e) => e.textContent)).toMatch(/no override/);
    await popup.close();
    await page.close();
  });
});

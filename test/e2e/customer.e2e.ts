// A flag on for one enterprise customer, end to end in Chromium against the real devstack: the QA
// engineer `staff` (enroll_customers in the seed) enables a flag for test-enterprise from the popup;
// `learner` (linked to it) reloads their portal and the flag reads on, with the enterprise as the
// reason; `learner3` (second-enterprise only) stays off; `learner2` (both) reads on in both portals,
// since waffle decides per user; revoke -> all off.
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { signInBrowser } from './devstack';
import { expandRow, flagRow } from './harness';
import { backendAnswered, devstackAndBrowser, OFF_FOR_ALL, openPortal, PORTAL_ORIGIN } from './portal';

const row = flagRow(OFF_FOR_ALL.key);

describe('customer enrollment against the devstack in chromium', () => {
  const run = devstackAndBrowser('chromium');

  const portal = (slug: string): Promise<Page> => openPortal(run.session, `${PORTAL_ORIGIN}/${slug}`);

  /**
   * The popup of the portal tab, once the flag's row is there and the backend has answered; with `open`,
   * the row is opened (its enrollment and customer controls exist only then).
   */
  async function popupOf(page: Page, open = false): Promise<Page> {
    const popup = await run.session.openPopup(page);
    await popup.waitForSelector(row, { timeout: 15_000 });
    if (open) await expandRow(popup, OFF_FOR_ALL.key);
    await backendAnswered(popup);
    return popup;
  }

  /** What `username`'s portal of `slug` received for the flag, read in the popup from the portal's own responses. */
  async function readsOn(username: string, slug: string): Promise<boolean> {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, username);
    const page = await portal(slug);
    const popup = await popupOf(page);
    const on = (await popup.$eval(row, (el) => el.getAttribute('data-on'))) === 'true';
    await popup.close();
    await page.close();
    return on;
  }

  /** GET flags/?user= as support (view_others): why the flag is on for `username`, per the LMS. */
  async function customersWhy(username: string): Promise<string[]> {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'support');
    const page = await portal('test-enterprise');
    const names = await page.evaluate(
      async (lms, flag, user) => {
        const query = new URLSearchParams({ names: flag, user });
        const response = await fetch(`${lms}/api/waffle-enrollments/v1/flags/?${query}`, { credentials: 'include' });
        const body = (await response.json()) as {
          flags: { me: { customers: { enterprise_customer: { name: string } }[] } }[];
        };
        return body.flags[0]!.me.customers.map((c) => c.enterprise_customer.name);
      },
      run.devstack.urls.lms,
      OFF_FOR_ALL.flag,
      username,
    );
    await page.close();
    return names;
  }

  it('staff enables a flag for Test Enterprise: its learners read it on, the others off; revoke turns it off', async () => {
    expect(await readsOn('learner', 'test-enterprise')).toBe(false);

    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'staff');
    const page = await portal('test-enterprise');
    let popup = await popupOf(page, true);
    const open = await popup.waitForSelector(`${row} [data-testid="customer-open"]`, { timeout: 15_000 });
    // learner, learner2 and ent_admin are linked to test-enterprise.
    expect(await open!.evaluate((el) => el.textContent)).toBe('Enable for Test Enterprise (3 learners)…');
    await open!.click();
    await popup.type(`${row} [data-testid="customer-reason"]`, 'PILOT-7: AI pathways for Test Enterprise');
    await popup.click(`${row} [data-testid="customer-continue"]`);
    const confirm = await popup.$eval(`${row} [data-testid="customer-confirm"]`, (el) => el.textContent ?? '');
    expect(confirm).toContain('on for 3 learners of Test Enterprise');
    await popup.click(`${row} [data-testid="customer-confirm-submit"]`);
    await popup.waitForSelector(`${row} [data-testid="customer-live"]`, { timeout: 15_000 });
    expect(await popup.$eval(`${row} [data-testid="customer-time-left"]`, (el) => el.textContent)).toMatch(
      /^\d+h \d\dm$/,
    );
    await popup.waitForSelector(`[data-testid="customer-enrollment"][data-state="live"]`);
    await popup.close();
    await page.close();

    expect(await readsOn('learner', 'test-enterprise')).toBe(true);
    expect(await customersWhy('learner')).toEqual(['Test Enterprise']);
    expect(await readsOn('learner3', 'second-enterprise')).toBe(false);
    expect(await customersWhy('learner3')).toEqual([]);
    // Waffle decides per user, not per portal: learner2 is linked to both customers.
    expect(await readsOn('learner2', 'test-enterprise')).toBe(true);
    expect(await readsOn('learner2', 'second-enterprise')).toBe(true);

    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'staff');
    const again = await portal('test-enterprise');
    popup = await popupOf(again, true);
    const revoke = await popup.waitForSelector(`${row} [data-testid="customer-revoke"]`, { timeout: 15_000 });
    await revoke!.click();
    await popup.waitForSelector(`${row} [data-testid="customer-open"]`, { timeout: 15_000 });
    await popup.waitForSelector(`[data-testid="customer-enrollment"][data-state="ended"]`);
    await popup.close();
    await again.close();

    expect(await readsOn('learner', 'test-enterprise')).toBe(false);
    expect(await readsOn('learner2', 'second-enterprise')).toBe(false);
    expect(run.devstack.manage('resync_customer_enrollments')).toMatch(/0 repaired/);
  });

  it('a learner, and staff without enroll_customers, see nothing of it', async () => {
    for (const username of ['learner', 'support']) {
      await signInBrowser(run.session.browser, run.devstack.urls.lms, username);
      const page = await portal('test-enterprise');
      const popup = await popupOf(page, true);
      // The row is open and the backend answered (support: the row's why; learner: read-only), and
      // nothing of customers is there.
      await popup.waitForSelector(`${row} [data-testid="why"], [data-testid="read-only"]`, { timeout: 15_000 });
      expect(await popup.$$('[data-testid="customer-open"], [data-testid="customer-enrollments"]')).toHaveLength(0);
      await popup.close();
      await page.close();
    }
  });
});

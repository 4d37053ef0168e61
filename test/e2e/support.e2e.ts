// "View as user" end to end against the real devstack (Django + django-waffle on SQLite): `support`
// finds `learner2`, sees the flag listed only for them as a difference, matches it on themselves,
// reloads the portal, and the portal's own responses confirm it on for `support`; the lookup is in the
// LMS's audit log and in the popup's recent lookups. `staff` (no view_others) and `learner` see none of it,
// and the API refuses them.
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { BROWSERS, type Session } from './browsers';
import { signInBrowser } from './devstack';
import { flagRow } from './harness';
import {
  backendAnswered,
  devstackAndBrowser,
  LEARNER_PORTAL,
  LISTED_LEARNER2,
  openPortal as portal,
  STAFF_FLAG,
  textOf as text,
} from './portal';

const row = flagRow;
const compareRow = (flag: string) => `[data-testid="compare-row"][data-flag="${flag}"]`;

/** Opens the popup and waits until the row is there and the backend's answer (or its error) is shown. */
async function popupWithBackend(session: Session, page: Page, key: string): Promise<Page> {
  const popup = await session.openPopup(page);
  await popup.waitForSelector(row(key), { timeout: 15_000 });
  await backendAnswered(popup);
  return popup;
}

/**
 * Opens a row far below the top of the popup: brought into view first and clicked once laid out there
 * (rows out of view are not laid out, so a click aimed before the layout settles lands on another row).
 */
async function expandRowInView(popup: Page, key: string): Promise<void> {
  const toggle = await popup.waitForSelector(`${row(key)} [data-testid="flag-toggle"]`, { timeout: 15_000 });
  if ((await toggle!.evaluate((el) => el.getAttribute('aria-expanded'))) === 'true') return;
  await toggle!.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await popup.waitForFunction(
    (el) => {
      const r = el.getBoundingClientRect();
      return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
    },
    { timeout: 15_000 },
    toggle!,
  );
  await toggle!.click();
  await popup.waitForSelector(`${row(key)} [data-testid="flag-toggle"][aria-expanded="true"]`, { timeout: 15_000 });
}

/** The HTTP status of a GET from the portal page, with the browser's session (as anyone could try it). */
function statusOf(page: Page, lms: string, path: string): Promise<number> {
  return page.evaluate(
    (url) => fetch(url, { credentials: 'include' }).then((r) => r.status),
    `${lms}/api/waffle-enrollments/v1/${path}`,
  );
}

describe.each(BROWSERS)('View as user against the devstack in %s', (browserName) => {
  const run = devstackAndBrowser(browserName);

  it('support views learner2, matches the difference on self, reloads, and the portal confirms it on', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'support');
    const page = await portal(run.session);
    let popup = await popupWithBackend(run.session, page, LISTED_LEARNER2.key);
    expect(await popup.$eval(row(LISTED_LEARNER2.key), (el) => el.getAttribute('data-on'))).toBe('false');

    // Find learner2 by the suggestions.
    await popup.click('[data-testid="view-as-open"]');
    await popup.type('[data-testid="view-as-user"]', 'learner');
    const suggestion = '[data-testid="user-suggestion"][data-username="learner2"]';
    await popup.waitForSelector(suggestion, { visible: true, timeout: 15_000 });
    await popup.click(suggestion);
    await popup.waitForSelector('[data-testid="view-as-result"][data-user="learner2"]', { timeout: 15_000 });

    // Who they are: active, not staff, linked to both customers.
    expect(await text(popup, '[data-testid="subject-email"]')).toBe('learner2@example.com');
    expect(await text(popup, '[data-testid="subject-active"]')).toBe('active');
    expect(await popup.$('[data-testid="subject-staff"]')).toBeNull();
    // Their customers, where the LMS knows customers (edx-enterprise, or the devstack's stand-in of it).
    const customersKnown = await page.evaluate(
      (url) =>
        fetch(url, { credentials: 'include' })
          .then((r) => r.json())
          .then((b: { features?: { customer_enrollments?: boolean } }) => b.features?.customer_enrollments === true),
      `${run.devstack.urls.lms}/api/waffle-enrollments/v1/flags/?names=`,
    );
    if (customersKnown) {
      const slugs = await popup.$$eval('[data-testid="subject-customer"]', (els) =>
        els.map((e) => e.getAttribute('data-slug')),
      );
      expect(slugs.sort()).toEqual(['second-enterprise', 'test-enterprise']);
    } else {
      await popup.waitForSelector('[data-testid="subject-no-customer"]');
    }

    // The flag listed only for them is a difference, on for them, off for me, and counted.
    const listed = await popup.waitForSelector(
      `${compareRow(LISTED_LEARNER2.flag)}[data-differs="true"][data-theirs="on"][data-mine="off"]`,
      { timeout: 15_000 },
    );
    expect(await listed!.$eval('[data-testid="compare-theirs"]', (el) => el.textContent)).toMatch(/they are listed/);
    expect(await text(popup, '[data-testid="differ-count"]')).toMatch(/ · [1-9]\d* differs?$/);
    // The differences come first.
    const order = await popup.$$eval('[data-testid="compare-row"]', (els) =>
      els.map((e) => e.getAttribute('data-differs')),
    );
    expect(order.indexOf('false') === -1 || order.lastIndexOf('true') < order.indexOf('false')).toBe(true);
    // A staff flag is on for me and off for them: it cannot be matched, and the popup says what to do.
    expect(await text(popup, `[data-testid="match-cannot-item"][data-flag="${STAFF_FLAG.flag}"]`)).toMatch(
      /because you are staff\. Use a non-staff test account/,
    );

    // The lookup is in the LMS's audit log, with the page it was made from.
    expect(
      run.devstack
        .shell(
          'from waffle_enrollments.models import UserLookup; ' +
            "print(list(UserLookup.objects.filter(viewer__username='support', subject__username='learner2').values_list('from_url', flat=True)))",
        )
        .trim(),
    ).toBe(`['${LEARNER_PORTAL}']`);

    // Match on me: one reason, the default duration.
    await popup.click('[data-testid="match-open"]');
    await popup.type('[data-testid="match-reason"]', `SUP-${Date.now()}: reproduce learner2's view`);
    await popup.click('[data-testid="match-submit"]');
    await popup.waitForSelector(`[data-testid="match-result"][data-flag="${LISTED_LEARNER2.flag}"][data-ok="true"]`, {
      timeout: 15_000,
    });
    // My side is read again: the flag now matches.
    await popup.waitForSelector(`${compareRow(LISTED_LEARNER2.flag)}[data-differs="false"][data-mine="on"]`, {
      timeout: 15_000,
    });
    expect(
      run.devstack
        .shell(
          'from waffle_enrollments.models import Enrollment; ' +
            "print(Enrollment.objects.filter(live=True, user__username='support').values_list('flag__name', flat=True).get())",
        )
        .trim(),
    ).toBe(LISTED_LEARNER2.flag);

    // The flag's own row, opened, asks for a reload; after it, the portal's responses say on, for support.
    await expandRowInView(popup, LISTED_LEARNER2.key);
    const reloadNow = await popup.waitForSelector(`${row(LISTED_LEARNER2.key)} [data-testid="reload-to-verify"]`, {
      timeout: 15_000,
    });
    // The row is far above the comparison: bring it into the popup's view (rows out of view are not laid out).
    await reloadNow!.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await popup.waitForFunction(
      (el) => {
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
      },
      { timeout: 15_000 },
      reloadNow!,
    );
    const navigated = page.waitForNavigation();
    await reloadNow!.click();
    await navigated;
    await popup.close().catch(() => undefined);
    popup = await popupWithBackend(run.session, page, LISTED_LEARNER2.key);
    await popup.waitForSelector(`${row(LISTED_LEARNER2.key)}[data-on="true"]`, { timeout: 15_000 });
    await expandRowInView(popup, LISTED_LEARNER2.key);
    await popup.waitForSelector(`${row(LISTED_LEARNER2.key)} [data-testid="verify"][data-verdict="confirmed"]`, {
      timeout: 15_000,
    });

    // Nothing of the lookup was kept by the browser; the LMS lists it in my recent lookups.
    expect(await popup.$('[data-testid="view-as-result"]')).toBeNull();
    await popup.click('[data-testid="view-as-open"]');
    await popup.waitForSelector('[data-testid="recent-lookup"][data-username="learner2"]', { timeout: 15_000 });
    await popup.close();
    await page.close();
  });

  it('staff without view_others: no View as control, and the API answers 403', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'staff');
    const page = await portal(run.session);
    const popup = await popupWithBackend(run.session, page, STAFF_FLAG.key);
    // The backend answered (staff may enroll themselves), and said no to looking at others.
    await popup.waitForSelector('[data-testid="my-enrollments"], [data-testid="my-enrollments-empty"]', {
      timeout: 15_000,
    });
    expect(await popup.$('[data-testid="view-as-open"]')).toBeNull();
    expect(await statusOf(page, run.devstack.urls.lms, 'flags/?user=learner2')).toBe(403);
    expect(await statusOf(page, run.devstack.urls.lms, 'users/?q=le')).toBe(403);
    expect(await statusOf(page, run.devstack.urls.lms, 'lookups/')).toBe(403);
    await popup.close();
    await page.close();
  });

  it('a learner sees nothing of it', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'learner');
    const page = await portal(run.session);
    const popup = await popupWithBackend(run.session, page, STAFF_FLAG.key);
    await popup.waitForSelector('[data-testid="read-only"]', { timeout: 15_000 });
    expect(await popup.$('[data-testid="view-as-open"]')).toBeNull();
    expect(await popup.$('[data-testid="view-as"]')).toBeNull();
    expect(await statusOf(page, run.devstack.urls.lms, 'flags/?user=learner2')).toBe(403);
    expect(await statusOf(page, run.devstack.urls.lms, 'users/?q=le')).toBe(403);
    await popup.close();
    await page.close();
  });
});

// End to end against the real devstack (Django + django-waffle on SQLite): staff enroll
// themselves from the popup, reload, and the portal's own responses confirm the flag is on; revoke;
// expiry by the cron command; a learner is read-only; a support user enrolls a learner; and every
// error the popup can meet shows its own message.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures';
import { BROWSERS, launch, type Session } from './browsers';
import { signInBrowser, signOutBrowser } from './devstack';
import { expandRow, flagRow, openPopupOnPortal } from './harness';
import {
  backendAnswered,
  devstackAndBrowser,
  LISTED_LEARNER2,
  OFF_FOR_ALL,
  openPortal as portal,
  STAFF_FLAG,
  textOf as text,
} from './portal';

const row = flagRow;

/** Opens a flag's row in place (its details, why in full, the enrollment controls), once. */
const expand = expandRow;

/**
 * Opens the popup and waits until the backend's answer (controls, read-only note or an error) is shown;
 * the row of `key`, the flag under test, is opened.
 */
async function popupWithBackend(session: Session, page: Page, key?: string): Promise<Page> {
  // A signed-in user's devstack portal (a key under test): once the popup shows the portal's whole load,
  // since its rows re-sort while answers still come in (harness.ts). Otherwise once the backend answered.
  const popup = key ? await openPopupOnPortal((p) => session.openPopup(p), page) : await session.openPopup(page);
  if (key) await expand(popup, key);
  await backendAnswered(popup);
  return popup;
}

async function isOn(popup: Page, key: string): Promise<boolean> {
  return (await popup.$eval(row(key), (el) => el.getAttribute('data-on'))) === 'true';
}

async function enrollMe(popup: Page, key: string, reason: string, minutes?: number): Promise<void> {
  await popup.click(`${row(key)} [data-testid="enroll-open"]`);
  if (minutes !== undefined) {
    await popup.select(`${row(key)} [data-testid="enroll-duration"]`, 'custom');
    await popup.type(`${row(key)} [data-testid="enroll-minutes"]`, String(minutes));
  }
  await popup.type(`${row(key)} [data-testid="enroll-reason"]`, reason);
  await popup.click(`${row(key)} [data-testid="enroll-submit"]`);
}

async function verdict(popup: Page, key: string): Promise<string> {
  await popup.waitForSelector(`${row(key)} [data-testid="verify"]`, { timeout: 15_000 });
  return popup.$eval(`${row(key)} [data-testid="verify"]`, (el) => el.getAttribute('data-verdict') ?? '');
}

/** Reloads the portal tab from the popup's "Reload now", then reopens the popup on the new load. */
async function reloadFromPopup(session: Session, popup: Page, page: Page, key: string, on: boolean): Promise<Page> {
  const navigated = page.waitForNavigation();
  await popup.click(`${row(key)} [data-testid="reload-to-verify"]`);
  await navigated;
  await popup.close().catch(() => undefined);
  const next = await popupWithBackend(session, page, key);
  await next.waitForSelector(`${row(key)}[data-on="${on}"]`, { timeout: 15_000 });
  return next;
}

/** Keeps a picture of the popup in artifacts/ (and in docs/images/ for the README with WI_UPDATE_SCREENSHOT=1). */
/** A picture of the run for the reader of a failure (the README's come from screenshots.e2e.ts). */
async function screenshot(popup: Page, name: string): Promise<void> {
  const dir = join(REPO_ROOT, 'artifacts');
  mkdirSync(dir, { recursive: true });
  await popup.screenshot({ path: join(dir, name) });
}

describe.each(BROWSERS)('enrollment against the devstack in %s', (browserName) => {
  const run = devstackAndBrowser(browserName);

  it('staff: enroll me in an off flag -> reload -> on, enrolled with time left; revoke -> reload -> off', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'staff');
    const page = await portal(run.session);
    let popup = await popupWithBackend(run.session, page, OFF_FOR_ALL.key);
    expect(await isOn(popup, OFF_FOR_ALL.key)).toBe(false);
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="why"]`)).toMatch(/Off for you/);
    // At rest, each line has its short why and its one action.
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="flag-why"]`)).toBe('nobody');
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="flag-action"]`)).toBe('Enroll…');
    expect(await text(popup, `${row(STAFF_FLAG.key)} [data-testid="flag-why"]`)).toBe('staff');
    // Why a staff flag is on for staff.
    await expand(popup, STAFF_FLAG.key);
    expect(await text(popup, `${row(STAFF_FLAG.key)} [data-testid="why"]`)).toMatch(/On for you: .*staff/);

    const reason = `QA-${Date.now()}: try the AI pathways`;
    await enrollMe(popup, OFF_FOR_ALL.key, reason);
    expect(await verdict(popup, OFF_FOR_ALL.key)).toBe('reload');
    popup = await reloadFromPopup(run.session, popup, page, OFF_FOR_ALL.key, true);
    await popup.waitForSelector(`${row(OFF_FOR_ALL.key)} [data-testid="verify"][data-verdict="confirmed"]`, {
      timeout: 15_000,
    });
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="enrollment-live"]`)).toMatch(/Enrolled until/);
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="time-left"]`)).toMatch(/^\d+h \d\dm$/);
    expect(await text(popup, '[data-testid="my-enrollments"]')).toContain(reason);
    if (browserName === 'chromium') await screenshot(popup, 'popup-enrolled.png');

    await popup.click(`${row(OFF_FOR_ALL.key)} [data-testid="revoke"]`);
    await popup.waitForSelector(`${row(OFF_FOR_ALL.key)} [data-testid="reload-to-verify"]`, { timeout: 15_000 });
    popup = await reloadFromPopup(run.session, popup, page, OFF_FOR_ALL.key, false);
    expect(await verdict(popup, OFF_FOR_ALL.key)).toBe('confirmed');
    expect(await popup.$(`${row(OFF_FOR_ALL.key)} [data-testid="enrollment-live"]`)).toBeNull();
    await popup.waitForSelector(`[data-testid="my-enrollment"][data-flag="${OFF_FOR_ALL.flag}"][data-state="ended"]`);
    await popup.close();
    await page.close();
  });

  it('the expiry command ends an enrollment, and the popup shows it ended', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'staff');
    const page = await portal(run.session);
    let popup = await popupWithBackend(run.session, page, OFF_FOR_ALL.key);
    await enrollMe(popup, OFF_FOR_ALL.key, 'QA: expiry check', 5);
    await popup.waitForSelector(`${row(OFF_FOR_ALL.key)} [data-testid="enrollment-live"]`, { timeout: 15_000 });
    // Time passes: move the expiry into the past, then run the cron command.
    run.devstack.shell(
      'from waffle_enrollments.models import Enrollment; from django.utils import timezone; from datetime import timedelta; ' +
        "Enrollment.objects.filter(live=True, user__username='staff').update(expires_at=timezone.now() - timedelta(seconds=1))",
    );
    expect(run.devstack.manage('expire_waffle_enrollments')).toMatch(/Expired 1 waffle enrollment/);
    await popup.close();
    await page.reload();
    popup = await popupWithBackend(run.session, page, OFF_FOR_ALL.key);
    await popup.waitForSelector(`[data-testid="my-enrollment"][data-flag="${OFF_FOR_ALL.flag}"][data-state="ended"]`);
    expect(
      await text(popup, `[data-testid="my-enrollment"][data-flag="${OFF_FOR_ALL.flag}"][data-state="ended"]`),
    ).toMatch(/expired/);
    expect(await isOn(popup, OFF_FOR_ALL.key)).toBe(false);
    expect(await popup.$(`${row(OFF_FOR_ALL.key)} [data-testid="enrollment-live"]`)).toBeNull();
    await popup.close();
    await page.close();
  });

  it('a learner sees the flags read-only, with no controls, and the API answers 403', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'learner');
    const page = await portal(run.session);
    const popup = await popupWithBackend(run.session, page, OFF_FOR_ALL.key);
    expect(await text(popup, '[data-testid="read-only"]')).toMatch(/Read-only: .*staff/);
    expect(
      await popup.$$(
        '[data-testid="enroll-open"], [data-testid="revoke"], [data-testid="enroll-other"], [data-testid="flag-action"]',
      ),
    ).toHaveLength(0);
    const status = await page.evaluate(
      (lms) => fetch(`${lms}/api/waffle-enrollments/v1/flags/`, { credentials: 'include' }).then((r) => r.status),
      run.devstack.urls.lms,
    );
    expect(status).toBe(403);
    await popup.close();
    await page.close();
  });

  it('support enrolls a learner, whose portal then shows the flag on; a listed user stays on after it ends', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'support');
    let page = await portal(run.session);
    const popup = await popupWithBackend(run.session, page, OFF_FOR_ALL.key);
    const enrollOther = async (user: string, flag: string, reason: string) => {
      await popup.$eval('[data-testid="enroll-other"]', (el) => ((el as HTMLDetailsElement).open = true));
      const form = '[data-testid="enroll-other-form"]';
      await popup.$eval(`${form} [data-testid="enroll-user"]`, (el) => ((el as HTMLInputElement).value = ''));
      await popup.type(`${form} [data-testid="enroll-user"]`, user);
      await popup.select(`${form} [data-testid="enroll-flag"]`, flag);
      await popup.type(`${form} [data-testid="enroll-reason"]`, reason);
      await popup.click(`${form} [data-testid="enroll-other-submit"]`);
    };
    await enrollOther('learner', OFF_FOR_ALL.flag, 'SUP-1: reproduce the learner view');
    expect(await text(popup, '[data-testid="enroll-other-form"] [data-testid="enroll-done"]')).toMatch(
      /Enrolled learner in enterprise\.ai_pathways/,
    );
    // 409: the same again.
    await enrollOther('learner', OFF_FOR_ALL.flag, 'SUP-1 again');
    expect(await text(popup, '[data-testid="enroll-other-form"] [data-testid="enroll-error"]')).toMatch(
      /^Conflict\. The LMS says: /,
    );
    // 404: no such user.
    await enrollOther('nobody-here', OFF_FOR_ALL.flag, 'SUP-2');
    expect(await text(popup, '[data-testid="enroll-other-form"] [data-testid="enroll-error"]')).toMatch(
      /Not found\. The LMS says: .*nobody-here/,
    );
    // learner2 is already listed on this flag: an enrollment that ends must keep that membership.
    await enrollOther('learner2', LISTED_LEARNER2.flag, 'SUP-3: pre-existing membership');
    await popup.waitForFunction(() =>
      /learner2/.test(
        document.querySelector('[data-testid="enroll-other-form"] [data-testid="enroll-done"]')?.textContent ?? '',
      ),
    );
    const id = Number(
      run.devstack.shell(
        "from waffle_enrollments.models import Enrollment; print(Enrollment.objects.get(live=True, user__username='learner2').pk)",
      ),
    );
    const revoked = await popup.evaluate(
      (lms, enrollmentId) =>
        fetch(`${lms}/csrf/api/v1/token`, { credentials: 'include' })
          .then((r) => r.json())
          .then((t: { csrfToken: string }) =>
            fetch(`${lms}/api/waffle-enrollments/v1/enrollments/${enrollmentId}/`, {
              method: 'DELETE',
              credentials: 'include',
              headers: { 'X-CSRFToken': t.csrfToken },
            }),
          )
          .then((r) => r.status),
      run.devstack.urls.lms,
      id,
    );
    expect(revoked).toBe(200);
    await popup.close();
    await page.close();

    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'learner');
    page = await portal(run.session);
    const learnerPopup = await popupWithBackend(run.session, page, OFF_FOR_ALL.key);
    expect(await isOn(learnerPopup, OFF_FOR_ALL.key)).toBe(true);
    await learnerPopup.close();
    await page.close();

    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'learner2');
    page = await portal(run.session);
    const learner2Popup = await popupWithBackend(run.session, page, LISTED_LEARNER2.key);
    expect(await isOn(learner2Popup, LISTED_LEARNER2.key)).toBe(true);
    await learner2Popup.close();
    await page.close();
  });

  it('errors: invalid input per field, session expired mid-way, not signed in', async () => {
    await signInBrowser(run.session.browser, run.devstack.urls.lms, 'staff');
    const page = await portal(run.session);
    let popup = await popupWithBackend(run.session, page, OFF_FOR_ALL.key);
    // 400, per field: more minutes than the server's maximum (the server's policy decides).
    await enrollMe(popup, OFF_FOR_ALL.key, 'QA: too long', 100_000);
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="error-duration"]`)).toMatch(
      /at most 604800 seconds/,
    );
    // Required reason is checked before anything is sent.
    await popup.$eval(
      `${row(OFF_FOR_ALL.key)} [data-testid="enroll-reason"]`,
      (el) => ((el as HTMLInputElement).value = ''),
    );
    await popup.$eval(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-reason"]`, (el) =>
      el.dispatchEvent(new Event('input', { bubbles: true })),
    );
    await popup.click(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-submit"]`);
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="error-reason"]`)).toMatch(/audit log/);

    // The session ends while the popup is open: the next action says to sign in, and nothing is enrolled.
    await signOutBrowser(run.session.browser);
    await popup.$eval(
      `${row(OFF_FOR_ALL.key)} [data-testid="enroll-minutes"]`,
      (el) => ((el as HTMLInputElement).value = ''),
    );
    await popup.type(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-minutes"]`, '30');
    await popup.type(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-reason"]`, 'QA: session gone');
    await popup.click(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-submit"]`);
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="enroll-error"]`)).toMatch(
      /not signed in to http:\/\/localhost:18000, or your session expired\. Sign in at http:\/\/localhost:18000\/login/,
    );
    expect(
      run.devstack
        .shell(
          "from waffle_enrollments.models import Enrollment; print(Enrollment.objects.filter(live=True, user__username='staff').count())",
        )
        .trim(),
    ).toBe('0');

    // Not signed in at all: the popup says where to sign in.
    await popup.close();
    await page.reload();
    popup = await popupWithBackend(run.session, page);
    expect(await text(popup, '[data-testid="backend-error"]')).toMatch(/Sign in at http:\/\/localhost:18000\/login/);
    expect(await popup.$eval('[data-testid="sign-in"]', (a) => a.getAttribute('href'))).toBe(
      'http://localhost:18000/login',
    );
    await popup.close();
    await page.close();
  });
});

describe.each(BROWSERS)('LMS without the API, or unreachable, in %s', (browserName) => {
  let session: Session;
  let standin: Server | null = null;
  const portalServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>portal</title><h1>portal</h1>');
  });

  beforeAll(async () => {
    session = await launch(browserName);
    await new Promise<void>((r) => portalServer.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await session?.close();
    await new Promise<void>((r) => portalServer.close(() => r()));
    if (standin) await new Promise<void>((r) => standin!.close(() => r()));
    standin = null;
  });

  const portalUrl = () => `http://localhost:${(portalServer.address() as { port: number }).port}/test-enterprise`;

  it('network: nothing listens on the LMS port', async () => {
    const page = await portal(session, portalUrl());
    const popup = await popupWithBackend(session, page);
    expect(await text(popup, '[data-testid="backend-error"]')).toMatch(/^Could not reach http:\/\/localhost:18000/);
    await popup.close();
    await page.close();
  });

  it('404: an LMS without the waffle_enrollments plugin', async () => {
    standin = createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Page not found</h1>');
    });
    await new Promise<void>((r, j) => standin!.once('error', j).listen(18000, '127.0.0.1', () => r()));
    const page = await portal(session, portalUrl());
    const popup = await popupWithBackend(session, page);
    expect(await text(popup, '[data-testid="backend-error"]')).toMatch(
      /has no Waffle enrollment API .*plugin is not installed/,
    );
    await popup.close();
    await page.close();
  });
});

// A portal served on other ports, whose devstack LMS is on other ports too, while something else
// answers on the default LMS address (localhost:18000): a decoy that says 401 to everything and, as
// an LMS signing someone out would, deletes the JWT and session cookies — which on `localhost` every
// port shares. The popup must use the LMS the page itself calls (enroll and revoke round trip), send
// nothing to the decoy, and leave the portal signed in; a JWT cookie that expired is refreshed at the
// page's LMS, never elsewhere.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS } from '../../scripts/devstack.mjs';
import { closeServers } from '../loopback';
import { BROWSERS, launch, type Session } from './browsers';
import { signInBrowser, startTestDevstack, type TestDevstack } from './devstack';
import { expandRow, flagRow, openPopupOnPortal } from './harness';

// Seeded by backend/devstack (seed_devstack.py): off for everyone, enrollable.
const OFF_FOR_ALL = { key: 'enterprise_ai_pathways_operator_enabled', flag: 'enterprise.ai_pathways_operator_enabled' };
const row = flagRow;
const SIGNED_IN_COOKIES = ['edx-jwt-cookie-header-payload', 'edx-jwt-cookie-signature', 'sessionid'];

interface Decoy {
  server: Server;
  /** `METHOD path` of every request it received, with whether cookies came along. */
  received: string[];
}

/** Something else on the default LMS port: 401 to everything, and it deletes the LMS's cookies. */
async function startDecoy(): Promise<Decoy> {
  const received: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    received.push(`${req.method} ${req.url} cookies=${req.headers.cookie ? 'yes' : 'no'}`);
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, x-csrftoken');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE');
    res.setHeader(
      'Set-Cookie',
      [...SIGNED_IN_COOKIES, 'edxloggedin', 'csrftoken'].map((n) => `${n}=; Max-Age=0; Path=/; SameSite=Lax`),
    );
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail": "Who are you?"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new Error(`the decoy needs the default LMS port ${DEFAULT_PORTS.lms}, which is taken: ${String(e)}`)),
    );
    server.listen(DEFAULT_PORTS.lms, '127.0.0.1', () => resolve());
  });
  return { server, received };
}

/** The popup on the portal's whole current load, the LMS's answers in. */
function popupWithBackend(session: Session, page: Page): Promise<Page> {
  return openPopupOnPortal((p) => session.openPopup(p), page);
}

async function text(popup: Page, selector: string): Promise<string> {
  await popup.waitForSelector(selector, { timeout: 15_000 });
  return popup.$eval(selector, (el) => el.textContent ?? '');
}

/** Reloads the portal from the popup's "Reload now" and reopens the popup once the flag reads `on`. */
async function reloadFromPopup(session: Session, popup: Page, page: Page, on: boolean): Promise<Page> {
  const navigated = page.waitForNavigation();
  await popup.click(`${row(OFF_FOR_ALL.key)} [data-testid="reload-to-verify"]`);
  await navigated;
  await popup.close().catch(() => undefined);
  const next = await popupWithBackend(session, page);
  await next.waitForSelector(`${row(OFF_FOR_ALL.key)}[data-on="${on}"]`, { timeout: 15_000 });
  await expandRow(next, OFF_FOR_ALL.key);
  await next
    .waitForSelector(`${row(OFF_FOR_ALL.key)} [data-testid="verify"][data-verdict="confirmed"]`, { timeout: 15_000 })
    .catch(async (e) => {
      throw new Error(`${String(e)}\n${await next.$eval(row(OFF_FOR_ALL.key), (el) => el.outerHTML)}`);
    });
  return next;
}

/** The browser's cookies for localhost that a signed-in portal needs, by name (values only). */
async function signedInCookies(session: Session): Promise<Record<string, string>> {
  const all = await session.browser.cookies();
  return Object.fromEntries(
    all.filter((c) => SIGNED_IN_COOKIES.includes(c.name) && c.value !== '').map((c) => [c.name, c.value]),
  );
}

/** Replaces the JWT header.payload cookie with one whose `exp` has passed (as after an hour away). */
async function expireJwtCookie(session: Session): Promise<void> {
  const cookie = (await session.browser.cookies()).find((c) => c.name === 'edx-jwt-cookie-header-payload');
  if (!cookie) throw new Error('no JWT cookie to expire');
  const [header, payload] = cookie.value.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  claims['exp'] = Math.floor(Date.now() / 1000) - 60;
  const expired = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  await session.browser.setCookie({ ...cookie, value: expired, domain: 'localhost', path: '/', sameSite: 'Lax' });
}

describe.each(BROWSERS)('a portal whose LMS is not on the default port, in %s', (browserName) => {
  let devstack: TestDevstack;
  let decoy: Decoy;
  let session: Session;

  beforeAll(async () => {
    decoy = await startDecoy();
    [devstack, session] = await Promise.all([
      startTestDevstack({ ports: { lms: 0, bff: 0, learner: 0, admin: 0 } }),
      launch(browserName),
    ]);
  });
  afterAll(async () => {
    await session?.close();
    await devstack?.stop();
    if (decoy) await closeServers(decoy.server);
  });

  it('enrolls and revokes at the LMS the page calls; the decoy on :18000 hears nothing; the portal stays signed in', async () => {
    expect(new URL(devstack.urls.lms).port).not.toBe(String(DEFAULT_PORTS.lms));
    expect(new URL(devstack.urls.learner).port).not.toBe(String(DEFAULT_PORTS.learner));
    await signInBrowser(session.browser, devstack.urls.lms, 'staff');
    const signedIn = await signedInCookies(session);
    expect(Object.keys(signedIn).sort()).toEqual([...SIGNED_IN_COOKIES].sort());

    const page = await session.newPage();
    await page.goto(`${devstack.urls.learner}/test-enterprise`);
    let popup = await popupWithBackend(session, page);
    await popup.click('[data-testid="environment"]'); // the header's details
    expect(await text(popup, '[data-testid="lms"]')).toBe(`LMS: ${devstack.urls.lms} (the one this page calls)`);
    expect(await popup.$('[data-testid="backend-error"]')).toBeNull();

    await expandRow(popup, OFF_FOR_ALL.key);
    await popup.click(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-open"]`);
    await popup.type(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-reason"]`, 'QA: the LMS on another port');
    await popup.click(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-submit"]`);
    // "Reload now" shows as soon as the LMS has recorded the enrollment, while the form still waits for
    // the LMS's fresh answers and then closes, which moves the button up: click it only once it is done.
    await popup.waitForFunction(
      (sel) =>
        !!document.querySelector(`${sel} [data-testid="reload-to-verify"]`) &&
        !!document.querySelector(`${sel} [data-testid="enrollment-live"]`) &&
        !document.querySelector(`${sel} [data-testid="enroll-reason"]`),
      { timeout: 15_000 },
      row(OFF_FOR_ALL.key),
    );
    popup = await reloadFromPopup(session, popup, page, true);
    expect(await text(popup, `${row(OFF_FOR_ALL.key)} [data-testid="enrollment-live"]`)).toMatch(/Enrolled until/);
    const live = devstack.shell(
      "from waffle_enrollments.models import Enrollment; print(Enrollment.objects.filter(live=True, user__username='staff').count())",
    );
    expect(live.trim()).toBe('1');

    // The page's JWT cookie expires while the popup is open: the revoke refreshes it at the page's LMS.
    await expireJwtCookie(session);
    await popup.click(`${row(OFF_FOR_ALL.key)} [data-testid="revoke"]`);
    await popup.waitForSelector(`${row(OFF_FOR_ALL.key)} [data-testid="reload-to-verify"]`, { timeout: 15_000 });
    expect(await popup.$(`${row(OFF_FOR_ALL.key)} [data-testid="enroll-error"]`)).toBeNull();
    const refreshed = await signedInCookies(session);
    const claims = JSON.parse(
      Buffer.from(refreshed['edx-jwt-cookie-header-payload']!.split('.')[1]!, 'base64url').toString('utf8'),
    ) as { exp: number };
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    popup = await reloadFromPopup(session, popup, page, false);
    expect(await popup.$(`${row(OFF_FOR_ALL.key)} [data-testid="enrollment-live"]`)).toBeNull();

    expect(decoy.received).toEqual([]);
    const after = await signedInCookies(session);
    expect(Object.keys(after).sort()).toEqual([...SIGNED_IN_COOKIES].sort());
    expect(after['sessionid']).toBe(signedIn['sessionid']);
    // The portal itself still knows who is signed in.
    await page.reload();
    await page.waitForSelector('[data-testid="signed-in-as"]', { timeout: 15_000 });
    expect(await page.$eval('[data-testid="signed-in-as"]', (el) => el.textContent)).toMatch(/^Signed in as staff/);
    expect(decoy.received).toEqual([]);
    await popup.close();
    await page.close();
  });
});

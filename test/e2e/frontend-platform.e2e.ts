// A portal page that uses the real `@edx/frontend-platform` client from npm (frontend-platform/portal-page.ts,
// bundled here by esbuild, served by a test server on a free port) against the devstack on free ports:
// its JWT cookie has expired, so the client refreshes it through the devstack's `POST /login_refresh`,
// hydrates the user from `/api/user/v1/accounts/<username>`, and fetches `enterprise-learner/` with
// `getAuthenticatedHttpClient()`. The extension captures the flags that call received, and its popup
// talks to the LMS that page calls.
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures';
import { closeServers, listenOnLoopback } from '../loopback';
import { BROWSERS, launch, type Session } from './browsers';
import { signInBrowser, startTestDevstack, type TestDevstack } from './devstack';

const JWT_COOKIE = 'edx-jwt-cookie-header-payload';

/** The page's script: frontend-platform and its dependencies in one file, in memory. */
async function bundlePortalPage(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'test', 'e2e', 'frontend-platform', 'portal-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A portal origin of its own: `/<slug>` is the page, `/portal.js` its script. */
async function startPortal(lms: string, script: string): Promise<{ server: Server; origin: string }> {
  const html = (slug: string) =>
    `<!doctype html><html lang="en" data-lms="${lms}"><head><meta charset="utf-8"><title>${slug} (frontend-platform)</title>` +
    `<script src="/portal.js" defer></script></head><body><main id="app"></main></body></html>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/portal.js') {
      res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' }).end(script);
    } else if (/^\/[a-z0-9-]{1,30}$/.test(path)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(path.slice(1)));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return { server, origin: `http://localhost:${await listenOnLoopback(server)}` };
}

function claimsOf(headerPayload: string): { exp: number; preferred_username: string } {
  return JSON.parse(Buffer.from(headerPayload.split('.')[1]!, 'base64url').toString('utf8')) as {
    exp: number;
    preferred_username: string;
  };
}

/** Replaces the JWT header.payload cookie with one whose `exp` has passed, as after an hour away. */
async function expireJwtCookie(session: Session): Promise<void> {
  const cookie = (await session.browser.cookies()).find((c) => c.name === JWT_COOKIE);
  if (!cookie) throw new Error('no JWT cookie to expire');
  const [header, payload] = cookie.value.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  claims['exp'] = Math.floor(Date.now() / 1000) - 60;
  const expired = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  await session.browser.setCookie({ ...cookie, value: expired, domain: 'localhost', path: '/', sameSite: 'Lax' });
}

async function testIdText(page: Page, testId: string): Promise<string | null> {
  const el = await page.$(`[data-testid="${testId}"]`);
  return el ? el.evaluate((e) => e.textContent) : null;
}

describe.each(BROWSERS)('a portal on @edx/frontend-platform, in %s', (browserName) => {
  let devstack: TestDevstack;
  let session: Session;
  let portal: { server: Server; origin: string };

  beforeAll(async () => {
    let script: string;
    [devstack, session, script] = await Promise.all([
      startTestDevstack({ ports: { lms: 0, bff: 0, learner: 0, admin: 0 } }),
      launch(browserName),
      bundlePortalPage(),
    ]);
    portal = await startPortal(devstack.urls.lms, script);
  });
  afterAll(async () => {
    await session?.close();
    await devstack?.stop();
    if (portal) await closeServers(portal.server);
  });

  it('refreshes the expired JWT at login_refresh, hydrates the user, and the extension captures its flags', async () => {
    await signInBrowser(session.browser, devstack.urls.lms, 'staff');
    await expireJwtCookie(session);
    const page = await session.newPage();
    const refresh = page.waitForResponse((r) => r.url() === `${devstack.urls.lms}/login_refresh`, {
      timeout: 20_000,
    });
    const account = page.waitForResponse((r) => r.url().startsWith(`${devstack.urls.lms}/api/user/v1/accounts/`), {
      timeout: 20_000,
    });
    await page.goto(`${portal.origin}/test-enterprise`);
    expect((await refresh).status()).toBe(200);
    expect((await account).status()).toBe(200);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    expect(await testIdText(page, 'error')).toBeNull();
    expect(await testIdText(page, 'log-error')).toBeNull();
    // The JWT cookie is a fresh one, and the user was hydrated from the account (the JWT alone has no email).
    const jwt = (await session.browser.cookies()).find((c) => c.name === JWT_COOKIE);
    expect(claimsOf(jwt!.value).exp).toBeGreaterThan(Date.now() / 1000);
    expect(await testIdText(page, 'user')).toMatch(/^staff · .+ · staff@example\.com$/);

    const received = await page.$$eval('[data-testid="features"] li', (items) =>
      items.map((li) => [li.getAttribute('data-key') ?? '', li.getAttribute('data-on') === 'true'] as const),
    );
    expect(received.length).toBeGreaterThan(3);
    expect(received.some(([, on]) => on)).toBe(true);
    expect(received.some(([, on]) => !on)).toBe(true);

    const popup = await session.openPopup(page);
    for (const [key, on] of received) {
      await popup.waitForSelector(`[data-testid="flag-row"][data-key="${key}"][data-on="${on}"]`, { timeout: 15_000 });
    }
    expect(await popup.$$eval('[data-testid="flag-row"]', (rows) => rows.length)).toBe(received.length);
    await popup.click('[data-testid="environment"]'); // the header's details
    expect(await popup.$eval('[data-testid="lms"]', (el) => el.textContent)).toBe(
      `LMS: ${devstack.urls.lms} (the one this page calls)`,
    );
    await popup.waitForFunction(() => !document.querySelector('[data-testid="backend-loading"]'), { timeout: 15_000 });
    expect(await popup.$('[data-testid="backend-error"]')).toBeNull();
    await popup.close();
    await page.close();
  });
});

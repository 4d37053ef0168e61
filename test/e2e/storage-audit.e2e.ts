// After a full session — a signed-in portal (JWT cookie pair, session cookie, CSRF
// cookie), captures from axios in <head> and a later fetch, a response that carries a CSRF token,
// the popup opened, the tab reloaded — the extension's storage (local, sync, session) holds no token,
// no cookie value and no CSRF token: only what it shows (claims, flags, diagnostics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_NAMES } from '../../src/core/flag-names';
import { BROWSERS, launch, type Session } from './browsers';
import { jwtCookieValue, randomFeatures, startStandin, type Standin, type StandinOptions } from './standin';
import { randomToken, randomUuid } from '../random';
import { portalSettled } from './harness';

for (const name of BROWSERS) {
  describe(`storage audit in ${name}`, () => {
    let session: Session;
    let standin: Standin;
    let options: StandinOptions;
    const username = `qa-${randomToken(6)}`;
    const enterprise = { uuid: randomUuid(), name: `Enterprise ${randomToken(6)}`, slug: `ent-${randomToken(6)}` };
    const secrets = {
      csrfCookie: `csrf${randomToken(32)}`,
      sessionCookie: `sess${randomToken(32)}`,
      signatureCookie: `sig${randomToken(43)}`,
      csrfInBody: `body${randomToken(32)}`,
      jwt: '',
    };

    beforeAll(async () => {
      const keys = Object.keys(FLAG_NAMES);
      secrets.jwt = jwtCookieValue({
        preferred_username: username,
        email: `${username}@example.com`,
        user_id: 42,
        administrator: true,
        exp: Math.floor(Date.now() / 1000) + 3600,
        jti: randomToken(20),
        roles: [`enterprise_admin:${enterprise.uuid}`],
      });
      const bffFeatures = randomFeatures(keys.slice(4));
      options = {
        username,
        enterprise,
        learnerFeatures: randomFeatures(keys.slice(0, 6)),
        bffFeatures,
        cookies: {
          'edx-jwt-cookie-header-payload': secrets.jwt,
          'edx-jwt-cookie-signature': secrets.signatureCookie,
          csrftoken: secrets.csrfCookie,
          sessionid: secrets.sessionCookie,
        },
        // The BFF answer also carries a CSRF token, as a body might: it must not be kept either.
        rawBodies: {
          '/api/v1/bffs/learner/dashboard/': {
            body: JSON.stringify({
              errors: [],
              warnings: [],
              csrfToken: secrets.csrfInBody,
              enterprise_customer: { ...enterprise, active: true },
              enterprise_features: bffFeatures,
            }),
          },
        },
      };
      [standin, session] = await Promise.all([startStandin(options), launch(name, { extension: true })]);
    });

    afterAll(async () => {
      await session?.close();
      await standin?.close();
    });

    it('storage.local, storage.sync and storage.session hold no token, cookie value or CSRF token', async () => {
      const page = await session.newPage();
      await page.goto(`${standin.portal}/${enterprise.slug}`);
      await portalSettled(page);
      const popup = await session.openPopup(page);
      const expected = { ...options.learnerFeatures, ...options.bffFeatures };
      await popup.waitForFunction(
        (n: number) => document.querySelectorAll('[data-testid="flag-row"]').length === n,
        { timeout: 15_000 },
        Object.keys(expected).length,
      );
      expect(await popup.$eval('[data-testid="identity"]', (e) => e.textContent)).toContain(username);
      await popup.close();
      // A second load of the same portal (state of the previous load is kept for comparison).
      await page.reload();
      await portalSettled(page);
      const cookies = await page.evaluate(() => document.cookie);
      expect(cookies).toContain(secrets.csrfCookie);

      const ext = await session.openPopup(page);
      await ext.waitForFunction(
        (n: number) => document.querySelectorAll('[data-testid="flag-row"]').length === n,
        { timeout: 15_000 },
        Object.keys(expected).length,
      );
      const dump = (await ext.evaluate(`(async () => {
        const api = globalThis.browser ?? globalThis.chrome;
        const read = async (area) => { try { return await api.storage[area].get(null); } catch (e) { return { unreadable: String(e) }; } };
        return { local: await read('local'), sync: await read('sync'), session: await read('session') };
      })()`)) as Record<string, Record<string, unknown>>;
      await ext.close();
      await page.close();
      // A tab's state is kept as one JSON string (src/core/storage-keys.ts): audit what it holds.
      const tabs = Object.keys(dump['session'] ?? {}).filter((k) => k.startsWith('tab:'));
      expect(tabs.length).toBeGreaterThan(0);
      for (const k of tabs) dump['session']![k] = JSON.parse(dump['session']![k] as string) as unknown;

      const text = JSON.stringify(dump);
      // Not vacuous: the session did capture, and the claims shown are there.
      expect(text).toContain(Object.keys(expected)[0]!);
      expect(text).toContain(username);
      const [header, payload] = secrets.jwt.split('.');
      const leaks = {
        'JWT header.payload cookie': secrets.jwt,
        'JWT header segment': header!,
        'JWT payload segment': payload!,
        'JWT signature cookie': secrets.signatureCookie,
        'csrftoken cookie': secrets.csrfCookie,
        'sessionid cookie': secrets.sessionCookie,
        'CSRF token in a response body': secrets.csrfInBody,
        'the cookie header': cookies,
      };
      for (const [what, value] of Object.entries(leaks))
        expect(text.includes(value), `${what} found in extension storage`).toBe(false);
      // No key names that say they hold one either (`cookieName` is the identity's source: a cookie's name, not its value).
      const keyNames =
        JSON.stringify(dump, (_k, v: unknown) => v).match(/"[^"]*(?:cookie|csrf|token|jwt|password|secret)[^"]*":/gi) ??
        [];
      expect(keyNames.filter((k) => k !== '"cookieName":')).toEqual([]);
      console.log(
        `storage audit (${name}): ${text.length} characters in local/sync/session, ${Object.keys(leaks).length} secrets checked, none found`,
      );
    });
  });
}

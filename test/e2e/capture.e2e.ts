// End to end in Chromium and Firefox: the built extension captures the enterprise responses a portal
// page receives — the first one fired by axios from an inline <head> script — and the popup shows
// exactly those flags, who the user is, and which enterprise. Values are random per run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_NAMES } from '../../src/core/flag-names';
import { REPO_ROOT } from '../fixtures';
import { BROWSERS, launch, type Session } from './browsers';
import { random, randomToken } from '../random';
import { MORE_FIXTURES, randomPortal, startStandin, type Standin } from './standin';
import { portalSettled } from './harness';

async function rowsOf(popup: Page): Promise<Record<string, boolean>> {
  return popup.$$eval('[data-testid="flag-row"]', (rows) =>
    Object.fromEntries(rows.map((r) => [r.getAttribute('data-key') ?? '', r.getAttribute('data-on') === 'true'])),
  );
}

async function waitForRows(popup: Page, count: number): Promise<void> {
  await popup.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="flag-row"]').length === n,
    { timeout: 15_000 },
    count,
  );
}

describe.each(BROWSERS)('capture in %s', (browserName) => {
  let session: Session;
  let standin: Standin;
  const keys = Object.keys(FLAG_NAMES);
  const options = randomPortal(keys.slice(0, 6), keys.slice(4), (e) => ({
    administrator: true,
    superuser: false,
    roles: [`enterprise_admin:${e.uuid}`],
  }));
  const { username, enterprise } = options;

  // A key both the LMS and the BFF report, with opposite values: the row must say they differ.
  const disputed = Object.keys(FLAG_NAMES)[5]!;

  beforeAll(async () => {
    options.learnerFeatures = { ...options.learnerFeatures, [disputed]: true };
    options.bffFeatures = { ...options.bffFeatures, [disputed]: false };
    [standin, session] = await Promise.all([startStandin(options), launch(browserName)]);
  });

  afterAll(async () => {
    await session?.close();
    await standin?.close();
  });

  it('shows exactly the flags the page received, from <head> axios and later fetch', async () => {
    const page = await session.newPage();
    await page.goto(`${standin.portal}/${enterprise.slug}?feature=new_ui&feature=beta_${randomToken()}`);
    await portalSettled(page);

    // The page itself got exactly what the server sent: the interceptor changed nothing.
    const received = await page.evaluate(() => (window as unknown as { __received: unknown }).__received);
    expect(received).toEqual({ learner: options.learnerFeatures, bff: options.bffFeatures });

    const expected = { ...options.learnerFeatures, ...options.bffFeatures };
    const popup = await session.openPopup(page);
    await waitForRows(popup, Object.keys(expected).length);
    expect(await rowsOf(popup)).toEqual(expected);

    // Sources that disagree in one load: the row says so at rest, with both values when open.
    const differing = await popup.$$eval('[data-testid="flag-row"][data-differs="true"]', (rows) =>
      rows.map((r) => r.getAttribute('data-key')),
    );
    const overlap = Object.keys(options.learnerFeatures).filter((k) => k in options.bffFeatures);
    expect(differing.sort()).toEqual(
      overlap.filter((k) => options.learnerFeatures[k] !== options.bffFeatures[k]).sort(),
    );
    expect(differing).toContain(disputed);

    // Open every row: its Waffle name, sources and times are in its details.
    await popup.$$eval('[data-testid="flag-toggle"]', (els) => els.forEach((e) => (e as HTMLButtonElement).click()));
    await popup.waitForSelector(`[data-key="${disputed}"] [data-testid="differs-note"]`);
    const values = await popup.$$eval(`[data-key="${disputed}"] [data-testid="flag-source-value"]`, (els) =>
      els.map((e) => [e.getAttribute('data-source'), e.getAttribute('data-on')]),
    );
    expect(values).toEqual([
      ['enterprise-learner', 'true'],
      ['bff-learner', 'false'],
    ]);

    // Both sources are there: the <head> axios call was captured, not only the later fetch.
    const sources = await popup.$$eval('[data-testid="flag-row"] [data-testid="flag-source"]', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(sources.some((s) => s.includes('enterprise-learner'))).toBe(true);
    expect(sources.some((s) => s.includes('BFF') || s.includes('bff'))).toBe(true);
    expect(standin.requests).toContain('GET /api/unrelated/');
    expect(await popup.$('[data-key="must_not_be_captured"]')).toBeNull();

    // Unknown keys are shown as they are, marked unknown; known ones carry their flag name.
    const unknown = Object.keys(expected).filter((k) => !(k in FLAG_NAMES));
    for (const key of unknown) {
      const text = await popup.$eval(`[data-testid="flag-row"][data-key="${key}"]`, (el) => el.textContent ?? '');
      expect(text).toMatch(/unknown/i);
    }
    const known = Object.keys(expected).find((k) => k in FLAG_NAMES)!;
    const knownText = await popup.$eval(`[data-testid="flag-row"][data-key="${known}"]`, (el) => el.textContent ?? '');
    expect(knownText).toContain(FLAG_NAMES[known]!);

    // Who, which enterprise, and the front-end-only overrides.
    expect(await popup.$eval('[data-testid="identity"]', (el) => el.textContent)).toContain(username);
    expect(await popup.$eval('[data-testid="enterprise"]', (el) => el.textContent)).toContain(enterprise.name);
    expect(await popup.$eval('[data-testid="feature-params"]', (el) => el.textContent)).toContain('new_ui');

    // The badge counts the flags that are on.
    const on = Object.values(expected).filter(Boolean).length;
    // `browser` in Firefox, `chrome` in Chromium: both answer promises for these calls in MV3.
    const api = `(globalThis.browser ?? globalThis.chrome)`;
    const tabId = await popup.evaluate<[], () => Promise<number>>(
      `(async () => (await ${api}.tabs.query({ url: 'http://localhost/*' }))[0]?.id ?? -1)()`,
    );
    expect(tabId).toBeGreaterThanOrEqual(0);
    const badge = await popup.evaluate(`${api}.action.getBadgeText({ tabId: ${Number(tabId)} })`);
    expect(badge).toBe(String(on));

    const dir = process.env['WI_UPDATE_SCREENSHOT'] ? join(REPO_ROOT, 'docs', 'images') : join(REPO_ROOT, 'artifacts');
    mkdirSync(dir, { recursive: true });
    await popup.$$eval('[data-testid="flag-toggle"][aria-expanded="true"]', (els) =>
      els.forEach((e) => (e as HTMLButtonElement).click()),
    );
    await popup.setViewport({ width: 420, height: 640 });
    await popup.screenshot({
      path: join(dir, browserName === 'chromium' ? 'popup.png' : `popup-${browserName}.png`),
      fullPage: true,
    });
    await popup.close();
    await page.close();
  });

  it('captures every other endpoint that carries the map: with_access_to, support_tool, BFF routes', async () => {
    const paths = Object.keys(MORE_FIXTURES);
    const per = Object.fromEntries(paths.map((p) => [p, { [`more_${randomToken()}`]: random() < 0.5 }]));
    options.moreFeatures = per;
    const page = await session.newPage();
    await page.goto(`${standin.portal}/${enterprise.slug}`);
    await portalSettled(page);
    // The page calls each endpoint as the portals do (GET for the LMS lists, POST for the BFF routes).
    await page.evaluate(
      (api, list) =>
        Promise.all(
          list.map((p) =>
            fetch(api + p + (p.includes('bffs') ? '' : '?permissions=x'), {
              method: p.includes('bffs') ? 'POST' : 'GET',
              credentials: 'include',
              headers: { 'content-type': 'application/json' },
              body: p.includes('bffs') ? '{}' : undefined,
            }).then((r) => r.json()),
          ),
        ),
      standin.api,
      paths,
    );
    const popup = await session.openPopup(page);
    for (const [path, features] of Object.entries(per)) {
      const [key, on] = Object.entries(features)[0]!;
      await popup.waitForSelector(`[data-testid="flag-row"][data-key="${key}"][data-on="${on}"]`, {
        timeout: 15_000,
      });
      await popup.click(`[data-key="${key}"] [data-testid="flag-toggle"]`);
      const source = await popup.$eval(`[data-key="${key}"] [data-testid="flag-source"]`, (e) =>
        e.getAttribute('title'),
      );
      expect(source).toBe(path);
    }
    expect(await popup.$('[data-testid="diagnostics"]')).toBeNull();
    options.moreFeatures = undefined;
    await popup.close();
    await page.close();
  });

  it('marks what changed since the previous load', async () => {
    const page = await session.newPage();
    await page.goto(`${standin.portal}/${enterprise.slug}`);
    await portalSettled(page);
    const flipped = Object.keys(options.bffFeatures)[0]!;
    options.bffFeatures = { ...options.bffFeatures, [flipped]: !options.bffFeatures[flipped] };
    await page.reload();
    await portalSettled(page);
    const popup = await session.openPopup(page);
    // Both responses of the new load must be in before anything is compared: keys of the two overlap,
    // so with the learner's alone some keys would differ from the previous load's later BFF values.
    // The content script sends a burst's followers up to BATCH_MS later, so wait for every key.
    await waitForRows(popup, Object.keys({ ...options.learnerFeatures, ...options.bffFeatures }).length);
    await popup.waitForSelector(`[data-testid="flag-row"][data-key="${flipped}"] [data-testid="flag-changed"]`, {
      timeout: 15_000,
    });
    const changed = await popup.$$eval('[data-testid="flag-row"]', (rows) =>
      rows.filter((r) => r.querySelector('[data-testid="flag-changed"]')).map((r) => r.getAttribute('data-key')),
    );
    expect(changed).toEqual([flipped]);
    await popup.close();
    await page.close();
  });
});

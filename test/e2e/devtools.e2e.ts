// The DevTools panel "Waffle", end to end in Chromium and Firefox: opened as an extension page bound to
// the portal's tab by `?tab=` (puppeteer cannot open a browser's DevTools UI in both browsers), it lists
// what the tab already captured, then each new response live, with the flag that changed against the
// same source's previous response marked and the response's enterprise_features as received; a reload
// draws a separator and the panel goes on. In Chromium the built manifest's devtools_page is loaded too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_NAMES } from '../../src/core/flag-names';
import { BROWSERS, launch, tabIdOf, type Session } from './browsers';
import { DIST } from './harness';
import { randomPortal, startStandin, type Standin } from './standin';

const pendingDone = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { __pending: number }).__pending === 0, { timeout: 15_000 });

const countOf = (panel: Page, selector: string, n: number) =>
  panel
    .waitForFunction((s, count) => document.querySelectorAll(s).length === count, { timeout: 15_000 }, selector, n)
    .catch(async (e: unknown) => {
      throw new Error(
        `${String(e)}; ${panel.url()} ${await panel.evaluate(() => location.href)}; the panel reads: ${await panel.evaluate(() => document.body.innerText)}`,
      );
    });

describe.each(BROWSERS)('DevTools panel in %s', (browserName) => {
  let session: Session;
  let standin: Standin;
  const keys = Object.keys(FLAG_NAMES);
  const options = randomPortal(keys.slice(0, 5), keys.slice(5, 9));

  beforeAll(async () => {
    [standin, session] = await Promise.all([startStandin(options), launch(browserName)]);
  });

  afterAll(async () => {
    await session?.close();
    await standin?.close();
  });

  it('lists the responses, then each new one live with its changed flag, and a separator on reload', async () => {
    const page = await session.newPage();
    const url = `${standin.portal}/${options.enterprise.slug}`;
    await page.goto(url);
    await pendingDone(page);
    const tabId = await tabIdOf(session, url);

    const panel = await session.openExtensionPage(`src/devtools/panel.html?tab=${tabId}`);
    const errors: string[] = [];
    panel.on('pageerror', (e) => errors.push(String(e)));
    // What the tab captured before the panel opened: its load, the learner response, the BFF's.
    await countOf(panel, '[data-testid="entry"]', 2);
    await panel.waitForFunction(() =>
      document.querySelector('[data-testid="panel-status"]')?.textContent?.includes('live'),
    );
    expect(await panel.$$eval('[data-testid="separator"]', (s) => s.map((e) => e.getAttribute('data-label')))).toEqual([
      'Page loaded',
    ]);
    const sources = await panel.$$eval('[data-testid="entry"] td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
    expect(sources).toEqual(['enterprise-learner', 'BFF learner']);

    // Two requests the page makes now, the flag flipped on the server in between.
    const learnerUrl = `${standin.api}/enterprise/api/v1/enterprise-learner/?username=${encodeURIComponent(options.username)}&page=1`;
    const fetchLearner = () =>
      page.evaluate((u) => fetch(u, { credentials: 'include' }).then((r) => r.json()), learnerUrl);
    await fetchLearner();
    await countOf(panel, '[data-testid="entry"]', 3);
    const flipped = Object.keys(options.learnerFeatures)[1]!;
    const was = options.learnerFeatures[flipped]!;
    options.learnerFeatures = { ...options.learnerFeatures, [flipped]: !was };
    await fetchLearner();
    await countOf(panel, '[data-testid="entry"]', 4);

    const rows = await panel.$$('[data-testid="entry"]');
    // The first of the two: the same flags as the load's learner response, so nothing changed.
    expect(await rows[2]!.$('[data-testid="entry-changed"]')).toBeNull();
    expect(await rows[2]!.evaluate((r) => r.querySelector('td:nth-child(7)')?.textContent)).toBe('none');
    // The second: exactly the flipped flag, against the learner's previous response (not the BFF's).
    const changed = await rows[3]!.$$eval('[data-testid="changed-key"]', (els) =>
      els.map((e) => [e.getAttribute('data-key'), e.textContent]),
    );
    expect(changed).toEqual([[flipped, `${flipped}: ${was ? 'on' : 'off'} → ${was ? 'off' : 'on'}`]]);
    // Both arrived while the panel watched: their size and flag count are there.
    for (const row of rows.slice(2)) {
      const cells = await row.$$eval('td', (tds) => tds.map((t) => t.textContent));
      expect(cells[1]).toBe('enterprise-learner');
      expect(cells[2]).toMatch(/^GET \/enterprise\/api\/v1\/enterprise-learner\/\?username=/);
      expect(cells[3]).toBe('200');
      expect(cells[4]).toMatch(/^\d+(\.\d)? (B|KB)$/);
      expect(cells[5]).toBe(String(Object.keys(options.learnerFeatures).length));
    }

    // Selected: its flags, name → value, and enterprise_features as the server sent it, as text.
    await rows[3]!.$eval('[data-testid="entry-select"]', (b) => (b as HTMLButtonElement).click());
    await panel.waitForSelector('[data-testid="features"]');
    const flags = await panel.$$eval('[data-testid="detail-flag"]', (els) =>
      els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-on') === 'true']),
    );
    expect(Object.fromEntries(flags)).toEqual(options.learnerFeatures);
    const text = await panel.$eval('[data-testid="features"]', (e) => e.textContent);
    expect(text).toBe(JSON.stringify(options.learnerFeatures, null, 2));

    // A reload: a separator, then the new document's responses; the panel goes on.
    await page.reload();
    await pendingDone(page);
    await countOf(panel, '[data-testid="separator"]', 2);
    await countOf(panel, '[data-testid="entry"]', 6);
    const order = await panel.$$eval('.log tbody tr', (trs) =>
      trs.map((tr) =>
        tr.getAttribute('data-testid') === 'separator'
          ? `-- ${tr.getAttribute('data-label')}`
          : (tr.querySelector('td:nth-child(2)')?.textContent ?? ''),
      ),
    );
    expect(order).toEqual([
      '-- Page loaded',
      'enterprise-learner',
      'BFF learner',
      'enterprise-learner',
      'enterprise-learner',
      '-- Page reloaded',
      'enterprise-learner',
      'BFF learner',
    ]);
    // The reloaded document knew from its start that a panel watches: its responses carry their size.
    const sizes = await panel.$$eval('[data-testid="entry"] td:nth-child(5)', (tds) => tds.map((t) => t.textContent));
    expect(sizes.slice(4).every((s) => s !== '—')).toBe(true);
    expect(errors).toEqual([]);
    await panel.close();
    await page.close();
  });

  it.runIf(browserName === 'chromium')(
    'the built manifest registers the DevTools page, and it loads without error',
    async () => {
      const manifest = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest['devtools_page']).toBe('src/devtools/devtools.html');
      expect(existsSync(join(DIST, 'src/devtools/devtools.html'))).toBe(true);
      expect(existsSync(join(DIST, 'src/devtools/panel.html'))).toBe(true);
      const page = await session.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`${session.extensionOrigin}/src/devtools/devtools.html`, { waitUntil: 'load' });
      // Its script ran (a module script, loaded from the package) and found no DevTools to add a panel to.
      expect(await page.evaluate(() => document.querySelectorAll('script[type="module"]').length)).toBe(1);
      expect(errors).toEqual([]);
      await page.close();
    },
  );
});

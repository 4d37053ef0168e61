// The DevTools panel "Waffle", end to end in Chromium and Firefox: opened as an extension page bound to
// the portal's tab by `?tab=` (puppeteer cannot open a browser's DevTools UI in both browsers), it lists
// what the tab already captured, then each new response live, with the flag that changed against the
// same source's previous response marked and the response's enterprise_features as received; a reload
// draws a separator and the panel goes on. In Chromium, also inside the browser's own DevTools, where
// it takes DevTools' theme.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_NAMES } from '../../src/core/flag-names';
import { BROWSERS, launch, tabIdOf, type Session } from './browsers';
import { builtExtension, CHROMIUM, chromiumArgs, DIST, portalSettled } from './harness';
import { randomPortal, startStandin, type Standin } from './standin';

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
    await portalSettled(page);
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
    await portalSettled(page);
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
});

// Chromium's own DevTools, opened for the tab by the browser (`--auto-open-devtools-for-tabs` works in
// headless mode): the built manifest's devtools_page adds the "Waffle" panel, and the panel, shown
// in DevTools, takes its tab from `devtools.inspectedWindow` and lists that tab's responses live.
describe.runIf(BROWSERS.includes('chromium'))('DevTools panel in Chromium DevTools itself', () => {
  let browser: Browser;
  let userDataDir: string;
  let standin: Standin;
  const keys = Object.keys(FLAG_NAMES);
  const options = randomPortal(keys.slice(0, 4), keys.slice(4, 7));

  beforeAll(async () => {
    userDataDir = mkdtempSync(join(tmpdir(), 'wi-chromium-devtools-'));
    [standin, browser] = await Promise.all([
      startStandin(options),
      puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        pipe: true,
        enableExtensions: [builtExtension()],
        userDataDir,
        args: [...chromiumArgs(), '--auto-open-devtools-for-tabs'],
      }),
    ]);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await standin?.close();
  });

  it('the built manifest names the DevTools page; DevTools shows the Waffle panel for the inspected tab', async () => {
    const manifest = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['devtools_page']).toBe('src/devtools/devtools.html');
    // A tab opened once the extension is running (DevTools opened with the browser's first tab may
    // come before the extension's devtools_page is known), and the DevTools window opened with it.
    await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), {
      timeout: 30_000,
    });
    const isFrontend = (t: Target) => t.url().startsWith('devtools://devtools/bundled/');
    const isDevtoolsPage = (t: Target) => t.url().endsWith('/src/devtools/devtools.html');
    const before = new Set(browser.targets().filter((t) => isFrontend(t) || isDevtoolsPage(t)));
    const page = await browser.newPage();
    const frontend = await browser.waitForTarget((t) => isFrontend(t) && !before.has(t), { timeout: 20_000 });
    // The front end loads the extension's devtools page once it is set up; not before may it be asked
    // for its views (asking earlier makes a view manager of its own, which breaks the window).
    await browser.waitForTarget((t) => isDevtoolsPage(t) && !before.has(t), { timeout: 20_000 });
    await page.goto(`${standin.portal}/${options.enterprise.slug}`);
    await portalSettled(page);

    // The DevTools window: wait until the extension's devtools page has added its panel, then show it.
    const devtools = await frontend.asPage();
    // Asked from here, one round trip after another: a DevTools window in the background runs no
    // animation frames, and its timers may be throttled, so polling inside it can stall.
    // Strings, not functions: the test runner rewrites a function's `import()` for Node.
    const viewManager = "import('./ui/legacy/legacy.js').then((ui) => ui.ViewManager.ViewManager.instance())";
    const findPanel = `${viewManager}.then((m) => [...m.views.keys()].find((id) => id.endsWith('Waffle')) ?? '')`;
    const deadline = Date.now() + 20_000;
    let id = '';
    while (id === '' && Date.now() < deadline) id = (await devtools.evaluate(findPanel)) as string;
    expect(id).toMatch(/^chrome-extension:\/\/[a-p]{32}Waffle$/);
    await devtools.evaluate(`${viewManager}.then((m) => m.showView(${JSON.stringify(id)}))`);
    const panel = await devtools.waitForFrame((f) => f.url().endsWith('/src/devtools/panel.html'), { timeout: 20_000 });

    // It inspects the portal's tab: the load's two responses, then a reload's, after a separator.
    const entries = (n: number) =>
      panel.waitForFunction(
        (count) => document.querySelectorAll('[data-testid="entry"]').length === count,
        {
          timeout: 15_000,
          polling: 100,
        },
        n,
      );
    await entries(2);
    expect(await panel.$eval('[data-testid="panel-status"]', (e) => e.textContent)).toMatch(/^Tab \d+: live/);
    await page.reload();
    await portalSettled(page);
    await entries(4);
    const rows = await panel.$$eval('.log tbody tr', (trs) =>
      trs.map((tr) => tr.getAttribute('data-label') ?? tr.querySelector('td:nth-child(2)')?.textContent),
    );
    expect(rows).toEqual([
      'Page loaded',
      'enterprise-learner',
      'BFF learner',
      'Page reloaded',
      'enterprise-learner',
      'BFF learner',
    ]);
    // The panel was open at the reload: the new responses carry their size and features text.
    await panel.$$eval('[data-testid="entry-select"]', (els) => (els[2] as HTMLButtonElement).click());
    await panel.waitForSelector('[data-testid="features"]');
    expect(await panel.$eval('[data-testid="features"]', (e) => e.textContent)).toBe(
      JSON.stringify(options.learnerFeatures, null, 2),
    );

    // DevTools' own theme, not the system's: light (Chromium's "default") as DevTools starts, then dark
    // once DevTools' setting changes, with the page light all along.
    const theme = () =>
      panel.evaluate(() => [
        document.documentElement.dataset['theme'],
        getComputedStyle(document.body).backgroundColor,
      ]);
    expect(await theme()).toEqual(['light', 'rgb(255, 255, 255)']);
    await devtools.evaluate(
      "import('./core/common/common.js').then((c) => c.Settings.Settings.instance().moduleSetting('ui-theme').set('dark'))",
    );
    await panel.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark', { timeout: 10_000 });
    expect(await theme()).toEqual(['dark', 'rgb(13, 17, 23)']);
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(false);
  });
});

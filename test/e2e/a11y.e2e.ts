// The options page and the popup pass axe-core with no violations, in the light and the dark
// theme, in real Chromium (every axe rule, best practices included), with real content: a populated
// popup and an options page showing a saved environment and inline errors.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_NAMES } from '../../src/core/flag-names';
import { launch, tabIdOf, type Session } from './browsers';
import { jwtCookieValue, randomFeatures, startStandin, type Standin } from './standin';
import { randomUuid } from '../random';
import { portalSettled } from './harness';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const THEMES = ['light', 'dark'] as const;

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** Runs axe in the page (evaluate is not subject to the extension pages' CSP) and lists violations. */
async function violations(page: Page, theme: (typeof THEMES)[number]): Promise<string[]> {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
  const scheme = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  expect(scheme).toBe(theme === 'dark');
  await page.evaluate(AXE);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: Violation[];
    passes: unknown[];
  };
  expect(result.passes.length).toBeGreaterThan(10); // axe did look at the page
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}: ${n.failureSummary}`),
  );
}

describe('accessibility (axe-core) in chromium', () => {
  let session: Session;
  let standin: Standin;

  beforeAll(async () => {
    const keys = Object.keys(FLAG_NAMES);
    const uuid = randomUuid();
    [standin, session] = await Promise.all([
      startStandin({
        username: 'qa-a11y',
        enterprise: { uuid, name: 'Accessible Enterprise', slug: 'a11y' },
        learnerFeatures: randomFeatures(keys.slice(0, 6)),
        bffFeatures: randomFeatures(keys.slice(4)),
        cookies: {
          'edx-jwt-cookie-header-payload': jwtCookieValue({
            preferred_username: 'qa-a11y',
            email: 'qa-a11y@example.com',
            administrator: true,
            superuser: true,
            exp: Math.floor(Date.now() / 1000) + 3600,
            roles: [`enterprise_admin:${uuid}`],
          }),
        },
      }),
      launch('chromium'),
    ]);
  });

  afterAll(async () => {
    await session?.close();
    await standin?.close();
  });

  it.each(THEMES)('popup with flags, identity and warnings: %s theme', async (theme) => {
    const page = await session.newPage();
    await page.goto(`${standin.portal}/a11y?feature=new_ui`);
    await portalSettled(page);
    const popup = await session.openPopup(page);
    await popup.waitForSelector('[data-testid="flag-row"]', { timeout: 15_000 });
    await popup.waitForSelector('[data-testid="warning-superuser"]', { timeout: 15_000 });
    // An open row, a pressed filter chip and a row that says its sources differ are in the picture too.
    await popup.click('[data-testid="flag-row"] [data-testid="flag-toggle"]');
    await popup.waitForSelector('[data-testid="flag-details"]');
    await popup.click('[data-testid="chip-on"]');
    expect(await violations(popup, theme)).toEqual([]);
    await popup.close();
    await page.close();
  });

  it.each(THEMES)('DevTools panel with responses, a reload and a selected response: %s theme', async (theme) => {
    const page = await session.newPage();
    const url = `${standin.portal}/a11y-panel-${theme}`;
    const pending = () => portalSettled(page);
    await page.goto(url);
    await pending();
    const panel = await session.openExtensionPage(`src/devtools/panel.html?tab=${await tabIdOf(session, url)}`);
    await panel.waitForSelector('[data-testid="entry"]', { timeout: 15_000 });
    // After a reload with the panel open: a separator, changed marks or none, sizes and the features text.
    await page.reload();
    await pending();
    await panel.waitForFunction(() => document.querySelectorAll('[data-testid="entry"]').length === 4, {
      timeout: 15_000,
    });
    await panel.$$eval('[data-testid="entry-select"]', (els) => (els.at(-2) as HTMLButtonElement).click());
    await panel.waitForSelector('[data-testid="features"]');
    expect(await violations(panel, theme)).toEqual([]);
    await panel.close();
    await page.close();
  });

  it('finds a violation when there is one (the audit can fail)', async () => {
    const page = await session.openExtensionPage('src/options/index.html');
    await page.waitForSelector('[data-testid="save-env"]');
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.textContent = 'barely visible';
      p.style.cssText = 'color:#bbbbbb;background:#ffffff';
      document.querySelector('main')?.append(p);
    });
    expect((await violations(page, 'light')).join('\n')).toMatch(/^color-contrast/);
    await page.close();
  });

  it.each(THEMES)('options page with a saved environment and inline errors: %s theme', async (theme) => {
    const page = await session.openExtensionPage('src/options/index.html');
    await page.waitForSelector('[data-testid="save-env"]:not([disabled])');
    // A saved environment on a host the manifest covers (no permission prompt needed).
    const label = `Local ${theme}`;
    await page.locator('[data-testid="field-label"]').fill(label);
    await page
      .locator('[data-testid="field-learnerPortals"]')
      .fill(`http://localhost:${theme === 'light' ? 9101 : 9102}`);
    await page.locator('[data-testid="field-lms"]').fill('http://localhost:18000');
    await page.click('[data-testid="save-env"]');
    await page.waitForSelector('[data-testid="saved"]');
    // Then a bad submission, so the inline errors are audited too.
    await page.locator('[data-testid="field-label"]').fill('Stage');
    await page.locator('[data-testid="field-lms"]').fill('nope');
    await page.click('[data-testid="save-env"]');
    await page.waitForSelector('[data-testid="error-lms"]');
    await page.waitForSelector('[data-testid="error-label"]');
    expect(await violations(page, theme)).toEqual([]);
    await page.close();
  });
});

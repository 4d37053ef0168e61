// The popup's header at its real width (400 px), in Chromium: two lines at rest (the user and their
// role chips; the customer and the environment), each one line box, with long-ish realistic names,
// and no text cut off. Layout cannot be measured in jsdom, so this runs in the browser.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_NAMES } from '../../src/core/flag-names';
import { launch, type Session } from './browsers';
import { jwtCookieValue, randomFeatures, startStandin, type Standin } from './standin';
import { randomUuid } from '../random';
import { portalSettled } from './harness';

const POPUP_SIZE = { width: 400, height: 600 };
const USERNAME = 'alexandra.okonkwo-vanderberg';
const ENTERPRISE = { name: 'Northwind Global Learning Academy', slug: 'northwind-global-learning-academy' };

interface LineReport {
  testid: string | null;
  text: string;
  /** Line boxes the line's text sits on (text rects grouped by their vertical middle). */
  lineBoxes: number;
  height: number;
  lineHeight: number;
  /** Elements whose text overflows their box (cut off or ended in an ellipsis), with their text. */
  clipped: string[];
  /** Text that reaches past the line's own box. */
  outside: string[];
}

/** What is on each visible line of the header, measured in the page. */
function headerLines(popup: Page): Promise<{ visible: (string | null)[]; lines: LineReport[] }> {
  return popup.$eval('header.header', (header) => {
    const visible = [...header.children]
      .filter((el) => el.getClientRects().length > 0 && !el.classList.contains('visually-hidden'))
      .map((el) => el.getAttribute('data-testid'));
    const lines = [...header.querySelectorAll<HTMLElement>('.header__line')].map((line) => {
      const box = line.getBoundingClientRect();
      const middles: number[] = [];
      const outside: string[] = [];
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
          if (r.width === 0) continue;
          middles.push(r.top + r.height / 2);
          if (r.left < box.left - 0.5 || r.right > box.right + 0.5) outside.push(node.textContent);
        }
      }
      middles.sort((a, b) => a - b);
      const lineHeight = parseFloat(getComputedStyle(line).fontSize) * 1.4;
      let lineBoxes = middles.length > 0 ? 1 : 0;
      for (let i = 1; i < middles.length; i++) if (middles[i]! - middles[i - 1]! > lineHeight / 2) lineBoxes++;
      const clipped = [line, ...line.querySelectorAll<HTMLElement>('*')]
        .filter((el) => el.scrollWidth > el.clientWidth + 0.5 && getComputedStyle(el).overflowX !== 'visible')
        .map((el) => `${el.textContent ?? ''} (${el.scrollWidth} px in ${el.clientWidth})`);
      return {
        testid: line.getAttribute('data-testid'),
        text: line.textContent ?? '',
        lineBoxes,
        height: box.height,
        lineHeight,
        clipped,
        outside,
      };
    });
    return { visible, lines };
  });
}

describe('popup header at 400 px in chromium', () => {
  let session: Session;
  let standin: Standin;
  const uuid = randomUuid();

  beforeAll(async () => {
    const keys = Object.keys(FLAG_NAMES);
    [standin, session] = await Promise.all([
      startStandin({
        username: USERNAME,
        enterprise: { uuid, ...ENTERPRISE },
        learnerFeatures: randomFeatures(keys.slice(0, 6)),
        bffFeatures: randomFeatures(keys.slice(4, 10)),
        cookies: {
          'edx-jwt-cookie-header-payload': jwtCookieValue({
            preferred_username: USERNAME,
            email: `${USERNAME}@northwind-learning.example.com`,
            administrator: true,
            exp: Math.floor(Date.now() / 1000) + 3600,
            roles: [`enterprise_admin:${uuid}`, 'enterprise_openedx_operator:*', `enterprise_learner:${randomUuid()}`],
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

  it('has two lines, each one line box, with nothing cut off; the details behind the environment chip', async () => {
    const page = await session.newPage();
    await page.goto(`${standin.portal}/${ENTERPRISE.slug}`);
    await portalSettled(page);
    const popup = await session.openPopup(page);
    await popup.setViewport(POPUP_SIZE);
    await popup.waitForSelector('[data-testid="enterprise-name"]', { timeout: 15_000 });
    await popup.waitForSelector('[data-testid="badge-staff"]', { timeout: 15_000 });
    expect(await popup.evaluate(() => document.body.getBoundingClientRect().width)).toBe(POPUP_SIZE.width);

    const { visible, lines } = await headerLines(popup);
    expect(visible).toEqual(['header-user', 'header-place']);
    const [user, place] = lines;
    // Everything the lines are meant to show is there, whole.
    expect(user!.text).toBe(`${USERNAME}staffadmin+2`);
    expect(place!.text).toBe(`${ENTERPRISE.name}Devstack · learner`);
    for (const line of lines) {
      expect(line.lineBoxes, `${line.testid}: ${line.text}`).toBe(1);
      expect(line.height, `${line.testid}: ${line.text}`).toBeLessThan(line.lineHeight * 1.5);
      expect(line.clipped, `${line.testid}: ${line.text}`).toEqual([]);
      expect(line.outside, `${line.testid}: ${line.text}`).toEqual([]);
    }

    // The details (email, customer's slug and UUID, the LMS) open under the two lines, and close again.
    await popup.click('[data-testid="environment"]');
    const details = await popup.$eval('[data-testid="header-details"]', (el) => el.textContent ?? '');
    expect(details).toContain(`${USERNAME}@northwind-learning.example.com`);
    expect(details).toContain(uuid);
    expect(details).toContain(ENTERPRISE.slug);
    expect(details).toMatch(/LMS: http:\/\/localhost:\d+ \(the one this page calls\)/);
    expect((await headerLines(popup)).visible).toEqual(['header-user', 'header-place', 'header-details']);
    await popup.click('[data-testid="environment"]');
    expect(await popup.$('[data-testid="header-details"]')).toBeNull();
    await popup.close();
    await page.close();
  });
});

// The service worker is stopped mid-session (as Chromium does after 30 s idle).
// The popup must show the same state afterwards — it lives in storage.session, not in worker
// globals — and capture must go on: the next response the portal receives reaches a new worker.
// Chromium only: Firefox runs the background as an event page, which puppeteer cannot stop.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_NAMES } from '../../src/core/flag-names';
import { BROWSERS, launch, type Session } from './browsers';
import { randomPortal, startStandin, type Standin } from './standin';
import { portalSettled } from './harness';

interface Shown {
  rows: Record<string, boolean>;
  identity: string;
  enterprise: string;
  diagnostics: string[];
}

async function shown(popup: Page): Promise<Shown> {
  return popup.evaluate(() => ({
    rows: Object.fromEntries(
      [...document.querySelectorAll('[data-testid="flag-row"]')].map((r) => [
        r.getAttribute('data-key') ?? '',
        r.getAttribute('data-on') === 'true',
      ]),
    ),
    identity: document.querySelector('[data-testid="identity"]')?.textContent ?? '',
    enterprise: document.querySelector('[data-testid="enterprise"]')?.textContent ?? '',
    diagnostics: [...document.querySelectorAll('[data-testid="diagnostic-reason"]')].map((d) => d.textContent ?? ''),
  }));
}

describe.skipIf(!BROWSERS.includes('chromium'))('service worker stopped mid-session (chromium)', () => {
  let session: Session;
  let standin: Standin;
  const keys = Object.keys(FLAG_NAMES);
  const options = randomPortal(keys.slice(0, 5), keys.slice(5));
  const { username, enterprise } = options;

  beforeAll(async () => {
    [standin, session] = await Promise.all([startStandin(options), launch('chromium', { extension: true })]);
  });

  afterAll(async () => {
    await session?.close();
    await standin?.close();
  });

  const workerTarget = () =>
    session.browser
      .targets()
      .find((t) => t.type() === 'service_worker' && t.url().startsWith(session.extensionOrigin ?? '-'));

  it('the popup shows the same state after the worker stopped, and capture continues', async () => {
    const page = await session.newPage();
    await page.goto(`${standin.portal}/${enterprise.slug}`);
    await portalSettled(page);
    const expected = { ...options.learnerFeatures, ...options.bffFeatures };

    let popup = await session.openPopup(page);
    await popup.waitForFunction(
      (n: number) => document.querySelectorAll('[data-testid="flag-row"]').length === n,
      { timeout: 15_000 },
      Object.keys(expected).length,
    );
    const before = await shown(popup);
    expect(before.rows).toEqual(expected);
    expect(before.identity).toContain(username);
    await popup.close();

    // Stop the worker: mark its global scope first, so that we can tell a new worker from the old one.
    const target = workerTarget();
    expect(target, 'the extension service worker').toBeDefined();
    const worker = (await target!.worker())!;
    await worker.evaluate('self.__beforeStop = true');
    const gone = new Promise<void>((resolve) => {
      const onGone = (t: unknown) => {
        if (t === target) {
          session.browser.off('targetdestroyed', onGone);
          resolve();
        }
      };
      session.browser.on('targetdestroyed', onGone);
    });
    await worker.close();
    await gone;

    // The popup reads the tab's state from storage.session itself: the same rows with the worker stopped.
    popup = await session.openPopup(page);
    await popup.waitForFunction(
      (n: number) => document.querySelectorAll('[data-testid="flag-row"]').length === n,
      { timeout: 15_000 },
      Object.keys(expected).length,
    );
    expect(await shown(popup)).toEqual(before);
    await popup.close();

    // Capture continues: the portal fetches the BFF again, with one flag flipped on the server. The worker
    // that was stopped is gone, so the capture itself wakes a new one.
    const flipped = Object.keys(options.bffFeatures)[0]!;
    options.bffFeatures = { ...options.bffFeatures, [flipped]: !options.bffFeatures[flipped] };
    const received = await page.evaluate(
      (api) =>
        fetch(api + '/api/v1/bffs/learner/dashboard/', {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
          .then((r) => r.json())
          .then((d: { enterprise_features: Record<string, boolean> }) => d.enterprise_features),
      standin.api,
    );
    const fresh = await session.browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith(session.extensionOrigin!),
      { timeout: 15_000 },
    );
    expect(await (await fresh.worker())!.evaluate('self.__beforeStop === undefined'), 'a new worker').toBe(true);
    expect(received[flipped]).toBe(options.bffFeatures[flipped]);
    popup = await session.openPopup(page);
    await popup.waitForSelector(
      `[data-testid="flag-row"][data-key="${flipped}"][data-on="${String(options.bffFeatures[flipped])}"]`,
      { timeout: 15_000 },
    );
    expect((await shown(popup)).rows).toEqual({ ...expected, [flipped]: options.bffFeatures[flipped] });
    await popup.close();
    await page.close();
  });
});

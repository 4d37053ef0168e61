// The devstack's portals and seeded flags as the e2e tests meet them, and the steps every test against
// the devstack repeats: a devstack and a browser per describe block, a portal tab, the popup once the
// backend has answered, an element's text.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { launch, type BrowserName, type Session } from './browsers';
import { startTestDevstack, type TestDevstack } from './devstack';

export const PORTAL_ORIGIN = 'http://localhost:8734';
export const LEARNER_PORTAL = `${PORTAL_ORIGIN}/test-enterprise`;

// Flags seeded by backend/devstack (seed_devstack.py): the response key the portal gets, the Waffle name.
export const OFF_FOR_ALL = {
  key: 'enterprise_ai_pathways_operator_enabled',
  flag: 'enterprise.ai_pathways_operator_enabled',
};
export const LISTED_LEARNER2 = {
  key: 'catalog_query_search_filters_enabled',
  flag: 'enterprise.catalog_query_search_filters_enabled',
};
export const STAFF_FLAG = {
  key: 'enterprise_customer_support_tool',
  flag: 'enterprise.enterprise_customer_support_tool',
};

/** A devstack and a browser for the enclosing describe block, started together, stopped after it. */
export function devstackAndBrowser(browserName: BrowserName): { devstack: TestDevstack; session: Session } {
  const started = {} as { devstack: TestDevstack; session: Session };
  beforeAll(async () => {
    [started.devstack, started.session] = await Promise.all([startTestDevstack(), launch(browserName)]);
  });
  afterAll(async () => {
    await started.session?.close();
    await started.devstack?.stop();
  });
  return started;
}

/** A new tab on a portal page (the learner portal of test-enterprise unless told). */
export async function openPortal(session: Session, url = LEARNER_PORTAL): Promise<Page> {
  const page = await session.newPage();
  await page.goto(url);
  return page;
}

/** Waits until the popup shows the backend's answer (controls, a read-only note or an error). */
export async function backendAnswered(popup: Page): Promise<void> {
  await popup.waitForFunction(() => !document.querySelector('[data-testid="backend-loading"]'), { timeout: 15_000 });
}

/** The text of the first element `selector` finds, once there is one. */
export async function textOf(popup: Page, selector: string): Promise<string> {
  await popup.waitForSelector(selector, { timeout: 15_000 });
  return popup.$eval(selector, (el) => el.textContent ?? '');
}

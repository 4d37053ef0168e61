// The browser side of testing mode: the optional `cookies` permission, asked for when the user first
// forces a flag, and the `dwft_<flag>` cookie on the LMS origin. Nothing else touches cookies.
import { lmsCookiePattern, overrideOf, testingCookieName, testingCookieValue } from '../../core/testing-mode';
import type { TestingOverride } from '../../core/testing-mode';
import { browser } from '../../platform/browser';

export interface TestingCookies {
  /** Whether the popup may read and write the LMS's cookies now (no prompt). */
  allowed(lms: string): Promise<boolean>;
  /** Asks the user for the `cookies` permission on the LMS origin; call it while a click is handled. */
  request(lms: string): Promise<boolean>;
  read(lms: string, flag: string): Promise<TestingOverride>;
  /** Sets the override, or clears it with null. */
  write(lms: string, flag: string, override: TestingOverride): Promise<void>;
}

const wanted = (lms: string) => ({ permissions: ['cookies' as const], origins: [lmsCookiePattern(lms)] });

export const browserTestingCookies: TestingCookies = {
  allowed: (lms) => browser.permissions.contains(wanted(lms)),
  request: (lms) => browser.permissions.request(wanted(lms)),
  async read(lms, flag) {
    const cookie = await browser.cookies.get({ url: `${new URL(lms).origin}/`, name: testingCookieName(flag) });
    return overrideOf(cookie?.value ?? null);
  },
  async write(lms, flag, override) {
    const url = `${new URL(lms).origin}/`;
    const name = testingCookieName(flag);
    if (override === null) {
      await browser.cookies.remove({ url, name });
      return;
    }
    // A session cookie on the LMS's host only, for every path, as waffle's own dwft_ cookies are.
    const set = await browser.cookies.set({ url, name, value: testingCookieValue(override === 'on'), path: '/' });
    if (!set) throw new Error(`the browser did not keep the ${name} cookie for ${new URL(lms).origin}.`);
  },
};

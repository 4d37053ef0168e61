// Waffle's testing mode for one browser: a flag whose `testing` is on reads the `dwft_<flag>` cookie of
// the request (django-waffle `Flag.is_active`: "True" turns it on, anything else off). Pure: the names
// and values; the popup sets the cookie through the browser (src/popup/testing/).

/** What this browser forces a testing flag to: on, off, or nothing (waffle's other criteria decide). */
export type TestingOverride = 'on' | 'off' | null;

/** The cookie waffle reads for `flag` (WAFFLE_TEST_COOKIE's default, `dwft_%s`). */
export function testingCookieName(flag: string): string {
  return `dwft_${flag}`;
}

/** The cookie value for an override: waffle compares it with "True". */
export function testingCookieValue(on: boolean): 'True' | 'False' {
  return on ? 'True' : 'False';
}

/** The override a cookie value means, as waffle reads it; no cookie, no override. */
export function overrideOf(value: string | null): TestingOverride {
  if (value === null) return null;
  return value === 'True' ? 'on' : 'off';
}

/**
 * The host pattern the browser must allow for cookies of the LMS at `lms` (an origin): its scheme and
 * host, without the port. Cookies belong to a host, not a port, and Firefox's match patterns take no
 * port (it refuses to request `http://localhost:18000/*`); without one, Chromium matches every port.
 */
export function lmsCookiePattern(lms: string): string {
  const { protocol, hostname } = new URL(lms);
  return `${protocol}//${hostname}/*`;
}

import { expect, it } from 'vitest';
import { lmsCookiePattern, overrideOf, testingCookieName, testingCookieValue } from './testing-mode';

it('names and values the cookie as django-waffle reads it', () => {
  expect(testingCookieName('enterprise.edit_highlights_enabled')).toBe('dwft_enterprise.edit_highlights_enabled');
  expect(testingCookieValue(true)).toBe('True');
  expect(testingCookieValue(false)).toBe('False');
});

it('reads an override back as waffle would: only "True" is on', () => {
  expect(overrideOf('True')).toBe('on');
  expect(overrideOf('False')).toBe('off');
  expect(overrideOf('1')).toBe('off');
  expect(overrideOf(null)).toBeNull();
});

it('asks for the LMS host only, on every port (cookies belong to a host)', () => {
  expect(lmsCookiePattern('https://courses.example.org/some/path')).toBe('https://courses.example.org/*');
  expect(lmsCookiePattern('http://localhost:18000')).toBe('http://localhost/*');
  expect(lmsCookiePattern('http://[::1]:18000/')).toBe('http://[::1]/*');
});

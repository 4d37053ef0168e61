import { expect, it, vi } from 'vitest';
import { choosePageFetch } from './page-fetch';

it('uses content.fetch (Firefox: requests as the page) when the browser provides it', async () => {
  const asPage = vi.fn(async () => new Response('page'));
  const asExtension = vi.fn(async () => new Response('extension'));
  const f = choosePageFetch({ content: { fetch: asPage }, fetch: asExtension });
  expect(await (await f('https://lms/x', { credentials: 'include' })).text()).toBe('page');
  expect(asPage).toHaveBeenCalledWith('https://lms/x', { credentials: 'include' });
  expect(asExtension).not.toHaveBeenCalled();
});

it('uses the global fetch otherwise (Chromium content scripts already fetch as the page)', async () => {
  const global = vi.fn(async () => new Response('global'));
  const f = choosePageFetch({ fetch: global });
  expect(await (await f('https://lms/y', {})).text()).toBe('global');
  expect(choosePageFetch({ content: {}, fetch: global })).toBeTypeOf('function');
});

// `fetch` as the portal page itself would make it: the page's origin (so the LMS's CORS rules for
// the portal apply), the page's cookies, the page's referrer.
//
// - Chromium: a content script's `fetch` already runs with the page's origin, so it is used as is.
// - Firefox: a content script's global `fetch` is the extension's (its origin is the extension, and
//   the LMS would refuse it, or worse, cookies would follow different rules). Firefox gives content
//   scripts `content.fetch`, which makes the request as the page. We use it when it exists.
type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

interface ContentGlobal {
  content?: { fetch?: FetchFn };
}

export function choosePageFetch(scope: ContentGlobal & { fetch: FetchFn }): FetchFn {
  const pageScoped = scope.content?.fetch;
  if (typeof pageScoped === 'function') return (input, init) => pageScoped.call(scope.content, input, init);
  return (input, init) => scope.fetch(input, init);
}

export const pageFetch: FetchFn = (input, init) =>
  choosePageFetch(globalThis as unknown as ContentGlobal & { fetch: FetchFn })(input, init);

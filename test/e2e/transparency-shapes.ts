// The request shapes of the transparency suite: each is the body of an async function run in a test
// page (with the helpers `h` of PRELUDE in transparency-server.ts) that returns a JSON record of
// everything the page can observe. The suite runs every shape in a browser with the extension and in
// one without, and the records must be equal.
//
// `captures`: how many envelopes the interceptor must hand to the content script for this shape in
// the run with the extension (0 for a non-matching URL, an aborted or failed request, an opaque one).
// `head`: the shape runs from an inline <head> script, before any other page script.
// `known`: a documented difference (see the comment at KNOWN below); the runner checks its bound.
export interface Shape {
  name: string;
  captures: number;
  head?: boolean;
  known?: 'one-microtask' | 'source-text';
  code: string;
}

/**
 * Documented difference, the only one: for a URL the interceptor reads, `fetch()` returns
 * `nativePromise.then(capture)`, so the page's promise settles one microtask after the native one.
 * It is invisible to every timing class (sync / microtask / task: a fetch still settles in the same
 * task and the same microtask checkpoint), to unhandled-rejection reporting (the page's promise is
 * the one that is unhandled, exactly as without the extension) and to promise identity. Returning the
 * native promise instead would need a reaction on it, which marks it handled: a page whose fetch fails
 * unhandled would then no longer get `unhandledrejection`, and error monitoring would go blind. So the
 * exact-tick shape below is compared with a bound of one tick, on matching URLs only.
 */
export const KNOWN = 'one-microtask';

/**
 * Documented difference: `Function.prototype.toString` of the patched `fetch`, `open` and `send` shows
 * their source, not `[native code]` (and V8 quotes that text in a "... is not a constructor" message
 * when there is no call site to name). Every script that wraps fetch or XHR in a page (Sentry,
 * Datadog, New Relic) has the same trace; hiding it would mean patching `Function.prototype.toString`
 * itself, a far larger and more visible change. The shape checks that toString is untouched and that
 * only the source text differs.
 */
export const KNOWN_SOURCE = 'source-text';

const fetchRecord = String.raw`
  const r = await fetch(URL_);
  const before = h.res(r);
  const body = await r.json();
  return { before, body, after: r.bodyUsed };
`;

/** Aborts a hanging fetch of the matching (M) or non-matching (N) URL; counts microtask ticks to the rejection. */
const abortTicks = (target: 'M' | 'N') => String.raw`
      const ctrl = new AbortController();
      const p = fetch(h.u(h.${target}, { r: 'hang' }), { signal: ctrl.signal });
      let ticks = 0; let stop = false;
      const caught = p.catch((e) => { stop = true; return e.name; });
      await h.tasks(2);
      const spin = () => { if (!stop) { ticks++; queueMicrotask(spin); } };
      ctrl.abort(); queueMicrotask(spin);
      return { name: await caught, ticks };`;

export const SHAPES: readonly Shape[] = [
  // ---------------------------------------------------------------- fetch: bodies
  { name: 'fetch json (matching)', captures: 1, code: fetchRecord.replace('URL_', 'h.u(h.M)') },
  { name: 'fetch json (non-matching)', captures: 0, code: fetchRecord.replace('URL_', 'h.u(h.N)') },
  {
    name: 'fetch text (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.C, { r: 'text', slug: 'x' }));
      return { res: h.res(r), text: await r.text(), again: await h.settle(r.text()) };`,
  },
  {
    name: 'fetch arrayBuffer (matching, binary)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'bytes' }));
      const b = await r.arrayBuffer();
      return { res: h.res(r), isAB: b instanceof ArrayBuffer, size: b.byteLength, hash: h.hash(new Uint8Array(b)), used: r.bodyUsed };`,
  },
  {
    name: 'fetch blob (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M));
      const b = await r.blob();
      return { isBlob: b instanceof Blob, type: b.type, size: b.size, text: await b.text() };`,
  },
  {
    name: 'fetch formData (matching, urlencoded; and JSON that is not form data)',
    captures: 2,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'form' }));
      const f = await r.formData();
      const bad = await fetch(h.u(h.M));
      return { isForm: f instanceof FormData, entries: [...f.entries()], bad: await h.settle(bad.formData()) };`,
  },
  {
    name: 'fetch json() of malformed JSON (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'badjson' }));
      return { res: h.res(r), json: await h.settle(r.json()), used: r.bodyUsed };`,
  },
  {
    name: 'fetch HTML error page 502 (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'html', code: '502' }));
      return { res: h.res(r), text: await r.text() };`,
  },
  {
    name: 'fetch gigantic 3 MB body (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'big', mb: '3' }));
      const t = await r.text();
      return { res: h.res(r), hash: h.hashStr(t) };`,
  },
  // ---------------------------------------------------------------- fetch: streams
  {
    name: 'fetch streamed read with a reader (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'chunks', n: '6', ms: '5' }));
      const isStream = r.body instanceof ReadableStream;
      const reader = r.body.getReader();
      const locked = r.body.locked;
      let text = ''; const dec = new TextDecoder(); let reads = 0;
      for (;;) { const { done, value } = await reader.read(); if (done) break; reads++; text += dec.decode(value, { stream: true }); }
      return { isStream, locked, text, readSome: reads > 0, used: r.bodyUsed, again: await h.settle(r.text()) };`,
  },
  {
    name: 'fetch streamed read with a reader (non-matching)',
    captures: 0,
    code: String.raw`
      const r = await fetch(h.u(h.N, { r: 'chunks', n: '6', ms: '5' }));
      const reader = r.body.getReader();
      let text = ''; const dec = new TextDecoder();
      for (;;) { const { done, value } = await reader.read(); if (done) break; text += dec.decode(value, { stream: true }); }
      return { text, used: r.bodyUsed };`,
  },
  {
    name: 'fetch body piped through a TransformStream (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'chunks', n: '4', ms: '5' }));
      const upper = new TransformStream({ transform(chunk, c) { c.enqueue(new TextDecoder().decode(chunk).toUpperCase()); } });
      const out = await new Response(r.body.pipeThrough(upper).pipeThrough(new TextEncoderStream())).text();
      return { out, used: r.bodyUsed };`,
  },
  // ---------------------------------------------------------------- fetch: inputs
  {
    name: 'fetch a Request object, GET (matching)',
    captures: 1,
    code: String.raw`
      const req = new Request(h.u(h.M));
      const r = await fetch(req);
      return { res: h.res(r), body: await r.json(), reqUsed: req.bodyUsed };`,
  },
  {
    name: 'fetch a Request object, POST with body to the BFF (matching)',
    captures: 1,
    code: String.raw`
      const req = new Request(h.u(h.B, { r: 'echo' }), { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', 'x-test': 't1' } });
      const r = await fetch(req);
      return { res: h.res(r), body: await r.json(), reqUsed: req.bodyUsed };`,
  },
  {
    name: 'fetch with init: lower-case post, headers, body (matching BFF)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.B, { r: 'echo' }), { method: 'post', credentials: 'include', headers: new Headers({ 'content-type': 'application/json', 'x-test': 't2' }), body: JSON.stringify({ q: 1 }) });
      return { res: h.res(r), body: await r.json() };`,
  },
  {
    name: 'fetch relative and protocol-relative URLs (matching)',
    captures: 4,
    code: String.raw`
      const urls = [h.u('enterprise/api/v1/enterprise-learner/'), h.u('./enterprise/api/v1/enterprise-learner/'), h.u('/t/../enterprise/api/v1/enterprise-learner/'), h.u('//' + location.host + h.M)];
      const out = [];
      for (const u of urls) { const r = await fetch(u); out.push([r.url, r.status, (await r.json()).shape]); }
      return out;`,
  },
  {
    name: 'fetch a URL object (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(new URL(h.u(h.M), location.href));
      return { res: h.res(r), body: await r.json() };`,
  },
  {
    name: 'fetch with an object whose toString gives the URL (matching path)',
    // The interceptor reads only strings, URL and Request objects: it must not call toString again.
    captures: 0,
    code: String.raw`
      let calls = 0;
      const input = { toString() { calls++; return h.u(h.M); } };
      const r = await fetch(input);
      return { calls, status: r.status, body: await r.json() };`,
  },
  {
    name: 'fetch init members are read once, in order (getters, matching)',
    captures: 1,
    code: String.raw`
      const seen = [];
      const init = {};
      for (const k of ['method', 'headers', 'body', 'mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity', 'keepalive', 'signal', 'priority', 'window']) {
        Object.defineProperty(init, k, { enumerable: true, get() { seen.push(k); return k === 'method' ? 'GET' : undefined; } });
      }
      const r = await fetch(h.u(h.M), init);
      return { seen, status: r.status };`,
  },
  {
    name: 'fetch invalid arguments: thrown or rejected, and which error',
    captures: 0,
    code: String.raw`
      const cases = {
        none: () => fetch(),
        badUrl: () => fetch('http://[bad'),
        connect: () => fetch(h.u(h.M), { method: 'CONNECT' }),
        getWithBody: () => fetch(h.u(h.M), { method: 'GET', body: 'x' }),
        badHeader: () => fetch(h.u(h.M), { headers: { 'a b': 'c' } }),
        navigateMode: () => fetch(h.u(h.M), { mode: 'navigate' }),
        initNotObject: () => fetch(h.u(h.M), 5),
        symbol: () => fetch(Symbol('x')),
        credentialsInUrl: () => fetch('http://u:p@localhost:1' + h.M),
        dataUrl: () => fetch('data:application/json,{"enterprise_features":{}}').then((r) => r.text()),
      };
      const out = {};
      for (const [k, f] of Object.entries(cases)) {
        let p;
        try { p = f(); } catch (e) { out[k] = { thrown: h.err(e) }; continue; }
        out[k] = { returned: p instanceof Promise, settled: await h.settle(p) };
      }
      return out;`,
  },
  {
    name: 'fetch this-binding: undefined, window, another object',
    captures: 2,
    code: String.raw`
      const out = {};
      for (const [k, self] of [['undef', undefined], ['window', window], ['object', {}]]) {
        try { const r = await fetch.call(self, h.u(h.M)); out[k] = r.status; } catch (e) { out[k] = h.err(e); }
      }
      const f = fetch;
      out.detached = (await f(h.u(h.N))).status;
      return out;`,
  },
  // ---------------------------------------------------------------- fetch: aborts, errors, timing
  {
    name: 'fetch with an already-aborted signal (matching)',
    captures: 0,
    code: String.raw`
      const ctrl = new AbortController(); ctrl.abort();
      const clock = h.clock();
      let p; let threw = null;
      try { p = fetch(h.u(h.M), { signal: ctrl.signal }); } catch (e) { threw = h.err(e); }
      const pending = await Promise.race([p.then(() => 'fulfilled', () => 'rejected'), Promise.resolve('pending')]);
      let phase = null; const res = await h.settle(p.finally(() => { phase = clock(); }));
      return { threw, isPromise: p instanceof Promise, pending, res, phase };`,
  },
  {
    name: 'fetch aborted while waiting for the server (matching)',
    captures: 0,
    code: String.raw`
      const ctrl = new AbortController();
      const p = fetch(h.u(h.M, { r: 'hang' }), { signal: ctrl.signal });
      let phase = null; let clock;
      const caught = p.then(() => 'fulfilled', (e) => { phase = clock(); return h.err(e); });
      await h.tasks(3);
      clock = h.clock(); ctrl.abort();
      return { err: await caught, phase, reason: h.err(ctrl.signal.reason) };`,
  },
  {
    name: 'fetch aborted while waiting for the server (non-matching)',
    captures: 0,
    code: String.raw`
      const ctrl = new AbortController();
      const p = fetch(h.u(h.N, { r: 'hang' }), { signal: ctrl.signal });
      let phase = null; let clock;
      const caught = p.then(() => 'fulfilled', (e) => { phase = clock(); return h.err(e); });
      await h.tasks(3);
      clock = h.clock(); ctrl.abort();
      return { err: await caught, phase };`,
  },
  {
    name: 'fetch abort: exact microtask ticks (matching)',
    known: 'one-microtask',
    captures: 0,
    code: abortTicks('M'),
  },
  {
    name: 'fetch abort: exact microtask ticks (non-matching)',
    captures: 0,
    code: abortTicks('N'),
  },
  {
    name: 'fetch aborted mid-body (matching)',
    // The response arrived (status 200), so the interceptor reports that its copy could not be read.
    captures: 1,
    code: String.raw`
      const ctrl = new AbortController();
      const r = await fetch(h.u(h.M, { r: 'headers-hang' }), { signal: ctrl.signal });
      const reader = r.body.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      ctrl.abort();
      return { res: h.res(r), first, next: await h.settle(reader.read()) };`,
  },
  {
    name: 'fetch abort with a custom reason: the same object comes back (matching)',
    captures: 0,
    code: String.raw`
      const reason = new RangeError('custom reason');
      const c1 = new AbortController();
      const p1 = fetch(h.u(h.M, { r: 'hang' }), { signal: c1.signal });
      c1.abort(reason);
      const e1 = await p1.catch((e) => e);
      const c2 = new AbortController(); c2.abort('a string reason');
      const e2 = await fetch(h.u(h.M), { signal: c2.signal }).catch((e) => e);
      return { same: e1 === reason, e1: h.err(e1), e2 };`,
  },
  {
    name: 'fetch AbortSignal.timeout on a hanging server (matching)',
    captures: 0,
    code: String.raw`
      return await h.settle(fetch(h.u(h.M, { r: 'hang' }), { signal: AbortSignal.timeout(40) }));`,
  },
  {
    name: 'fetch network error: connection refused (matching)',
    captures: 0,
    code: String.raw`
      const clock = h.clock();
      const res = await h.settle(fetch(h.dead + h.M));
      return { res, phase: clock() === 'sync' ? 'sync' : 'async' };`,
  },
  {
    name: 'fetch network error: connection refused (non-matching)',
    captures: 0,
    code: String.raw`return await h.settle(fetch(h.dead + h.N));`,
  },
  {
    name: 'fetch rejection left unhandled fires unhandledrejection for the page promise (matching)',
    captures: 0,
    code: String.raw`
      const events = [];
      const on = (e) => { events.push({ reason: e.reason && e.reason.name, mine: e.promise === window.__p }); e.preventDefault(); };
      window.addEventListener('unhandledrejection', on);
      const fired = new Promise((r) => window.addEventListener('unhandledrejection', r, { once: true }));
      window.__p = fetch(h.dead + h.M);
      await Promise.race([fired, new Promise((r) => setTimeout(r, 5000))]);
      await h.tasks(2);
      // A handled one must not fire.
      await fetch(h.dead + h.M).catch(() => null);
      await h.tasks(3);
      window.removeEventListener('unhandledrejection', on);
      return events;`,
  },
  {
    name: 'fetch 2xx/4xx/5xx statuses (matching)',
    captures: 10,
    code: String.raw`
      const out = [];
      for (const code of [201, 204, 400, 401, 403, 404, 409, 500, 502, 503]) {
        const r = await fetch(h.u(h.M, { r: 'status', code: String(code) }));
        out.push([r.status, r.ok, r.statusText, r.headers.get('content-type'), await r.text()]);
      }
      return out;`,
  },
  {
    name: 'fetch 4xx/5xx statuses (non-matching)',
    captures: 0,
    code: String.raw`
      const out = [];
      for (const code of [400, 404, 500, 503]) {
        const r = await fetch(h.u(h.N, { r: 'status', code: String(code) }));
        out.push([r.status, r.ok, r.statusText, await r.text()]);
      }
      return out;`,
  },
  {
    name: 'fetch redirects between matching and non-matching URLs, and 307 POST',
    // Reported by the URL the page asked for: M->M and M->N and the BFF 307, not N->M.
    captures: 3,
    code: String.raw`
      const out = [];
      const go = async (url, init) => { const r = await fetch(url, init); out.push([r.status, r.redirected, r.url, await r.text()]); };
      await go(h.u(h.M, { r: 'redirect', code: '302', to: h.C }));
      await go(h.u(h.M, { r: 'redirect', code: '301', to: h.N }));
      await go(h.u(h.N, { r: 'redirect', code: '302', to: h.M }));
      await go(h.u(h.B, { r: 'redirect', code: '307', to: h.B, then: 'echo' }), { method: 'POST', body: 'kept' });
      return out;`,
  },
  {
    name: 'fetch redirect modes manual and error (matching)',
    captures: 0,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'redirect', code: '302', to: h.M }), { redirect: 'manual' });
      const e = await h.settle(fetch(h.u(h.M, { r: 'redirect', code: '302', to: h.M }), { redirect: 'error' }));
      return { manual: h.res(r), error: e };`,
  },
  {
    name: 'fetch HEAD (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M), { method: 'HEAD' });
      return { res: h.res(r), text: await r.text() };`,
  },
  {
    name: 'fetch no-cors and cors to another origin (matching path)',
    captures: 0,
    code: String.raw`
      const r = await fetch(h.other + h.u(h.M), { mode: 'no-cors' });
      const opaque = { res: h.res(r), text: await r.text() };
      const blocked = await h.settle(fetch(h.other + h.u(h.M)));
      return { opaque, blocked };`,
  },
  {
    name: 'fetch CORS with credentials to another origin (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.other + h.u(h.M, { cors: '1' }), { credentials: 'include', headers: { 'x-test': 'cors' } });
      return { res: h.res(r), body: await r.json() };`,
  },
  {
    name: 'fetch body already used: Request reuse, text() twice, clone() after use (matching)',
    captures: 1,
    code: String.raw`
      const req = new Request(h.u(h.B, { r: 'echo' }), { method: 'POST', body: 'once' });
      const r1 = await fetch(req);
      const second = await h.settle(fetch(req));
      const text = await r1.text();
      const twice = await h.settle(r1.text());
      let cloneErr = null; try { r1.clone(); } catch (e) { cloneErr = h.err(e); }
      return { reqUsed: req.bodyUsed, second, text, twice, cloneErr };`,
  },
  {
    name: 'fetch clone(): both branches read, in parallel (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'chunks', n: '3', ms: '5' }));
      const c = r.clone();
      const order = [];
      const [a, b] = await Promise.all([r.text().then((t) => { order.push('orig'); return t; }), c.text().then((t) => { order.push('clone'); return t; })]);
      return { a, b, order, used: [r.bodyUsed, c.bodyUsed], cloneIsResponse: c instanceof Response };`,
  },
  {
    name: 'fetch concurrent requests complete in server order (mixed)',
    captures: 2,
    code: String.raw`
      const order = [];
      const urls = [h.u(h.M, { r: 'slow', ms: '240' }), h.u(h.N, { r: 'slow', ms: '160' }), h.u(h.C, { r: 'slow', ms: '80' }), h.u(h.N, { r: 'slow', ms: '0' })];
      await Promise.all(urls.map((u, i) => fetch(u).then((r) => r.json()).then(() => order.push(i))));
      return order;`,
  },
  {
    name: 'fetch timing class: pending at return, settles in a later task (matching and not)',
    captures: 1,
    code: String.raw`
      const out = {};
      for (const [k, path] of [['m', h.M], ['n', h.N]]) {
        const clock = h.clock();
        const p = fetch(h.u(path, { r: 'slow', ms: '40' }));
        const pending = await Promise.race([p.then(() => 'settled'), Promise.resolve('pending')]);
        let phase; await p.then(() => { phase = clock(); });
        out[k] = { pending, phase };
      }
      return out;`,
  },
  {
    name: 'fetch Set-Cookie is hidden and the cookie is set (matching)',
    captures: 1,
    code: String.raw`
      const r = await fetch(h.u(h.M, { r: 'cookie' }));
      return { headers: h.headers(r.headers), setCookie: r.headers.get('set-cookie'), cookie: document.cookie.includes('wi_t_' + h.s + '=v1') };`,
  },
  // ---------------------------------------------------------------- XMLHttpRequest
  {
    name: 'xhr async text (matching)',
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M));`,
  },
  {
    name: 'xhr async text (non-matching)',
    captures: 0,
    code: String.raw`return await h.xhr('GET', h.u(h.N));`,
  },
  {
    name: 'xhr synchronous (matching)',
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M), { async: false });`,
  },
  {
    name: 'xhr synchronous (non-matching)',
    captures: 0,
    code: String.raw`return await h.xhr('GET', h.u(h.N), { async: false });`,
  },
  {
    name: "xhr responseType 'text' (matching)",
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.C, { r: 'text' }), { responseType: 'text' });`,
  },
  {
    name: "xhr responseType 'json' (matching)",
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M), { responseType: 'json' });`,
  },
  {
    name: "xhr responseType 'json' with malformed JSON (matching)",
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M, { r: 'badjson' }), { responseType: 'json' });`,
  },
  {
    name: "xhr responseType 'blob' (matching)",
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M), { responseType: 'blob' });`,
  },
  {
    name: "xhr responseType 'arraybuffer' (matching)",
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M, { r: 'bytes' }), { responseType: 'arraybuffer' });`,
  },
  {
    name: "xhr responseType 'document' of an HTML error page (matching)",
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M, { r: 'html', code: '500' }), { responseType: 'document' });`,
  },
  {
    name: 'xhr abort while waiting (matching)',
    captures: 0,
    code: String.raw`
      const xhr = new XMLHttpRequest();
      const log = h.trace(xhr);
      xhr.open('GET', h.u(h.M, { r: 'hang' }));
      xhr.send();
      await h.tasks(3);
      const before = xhr.readyState;
      xhr.abort();
      return { log, before, result: await h.xhrResult(xhr) };`,
  },
  {
    name: 'xhr timeout on a hanging server (matching)',
    captures: 0,
    code: String.raw`return await h.xhr('GET', h.u(h.M, { r: 'hang' }), { timeout: 40 });`,
  },
  {
    name: 'xhr network error: connection refused (matching)',
    captures: 0,
    code: String.raw`return await h.xhr('GET', h.dead + h.M);`,
  },
  {
    name: 'xhr 4xx/5xx statuses (matching)',
    captures: 4,
    code: String.raw`
      const out = [];
      for (const code of [401, 404, 500, 503]) out.push(await h.xhr('GET', h.u(h.M, { r: 'status', code: String(code) })));
      return out;`,
  },
  {
    name: 'xhr redirect to a non-matching URL (matching)',
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.u(h.M, { r: 'redirect', to: h.N }));`,
  },
  {
    name: 'xhr HEAD (matching)',
    captures: 1,
    code: String.raw`return await h.xhr('HEAD', h.u(h.M));`,
  },
  {
    name: 'xhr onreadystatechange / onload vs addEventListener order (matching)',
    captures: 1,
    code: String.raw`
      const order = [];
      const xhr = new XMLHttpRequest();
      xhr.addEventListener('readystatechange', () => order.push('rsc-listener-1:' + xhr.readyState));
      xhr.onreadystatechange = () => order.push('rsc-property:' + xhr.readyState);
      xhr.addEventListener('readystatechange', () => order.push('rsc-listener-2:' + xhr.readyState));
      xhr.addEventListener('load', () => order.push('load-listener-1'));
      xhr.onload = () => order.push('load-property-old');
      xhr.addEventListener('loadend', () => order.push('loadend-before-send'));
      xhr.open('GET', h.u(h.M));
      xhr.send();
      xhr.onload = () => order.push('load-property-new');
      xhr.addEventListener('load', () => order.push('load-listener-2'));
      xhr.onloadend = () => order.push('loadend-property');
      xhr.addEventListener('loadend', () => order.push('loadend-after-send'));
      await h.done(xhr);
      const folded = order.filter((x, i) => x !== order[i - 3] || !x.endsWith(':3'));
      return folded;`,
  },
  {
    name: 'xhr overrideMimeType: JSON sent as text/plain, and x-user-defined bytes (matching)',
    captures: 2,
    code: String.raw`
      const a = await h.xhr('GET', h.u(h.M, { r: 'jsontext' }), { responseType: 'json', mime: 'application/json' });
      const b = await h.xhr('GET', h.u(h.M, { r: 'bytes' }), { mime: 'text/plain; charset=x-user-defined' });
      const text = b.result.responseText; let sum = 0; for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i) & 0xff;
      b.result.responseText = { length: text.length, sum };
      b.result.response = null;
      return { a, b };`,
  },
  {
    name: 'xhr upload events of a POST to the BFF (matching)',
    captures: 1,
    code: String.raw`return await h.xhr('POST', h.u(h.B, { r: 'echo' }), { upload: true, body: 'x'.repeat(200000), headers: { 'content-type': 'text/plain' } });`,
  },
  {
    name: 'xhr send body types to the BFF: FormData, Blob, URLSearchParams, ArrayBuffer (matching)',
    captures: 4,
    code: String.raw`
      const fd = new FormData(); fd.append('f1', 'v1');
      const bodies = [fd, new Blob(['blob-body'], { type: 'text/x-blob' }), new URLSearchParams({ a: '1', b: 'x y' }), new Uint8Array([1, 2, 3]).buffer];
      const out = [];
      for (const body of bodies) { const r = await h.xhr('POST', h.u(h.B, { r: 'echo' }), { body, responseType: 'json' }); out.push(r.result.response); }
      return out;`,
  },
  {
    name: 'xhr reuse of one object: matching, non-matching, aborted, matching again',
    captures: 2,
    code: String.raw`
      const xhr = new XMLHttpRequest();
      const log = h.trace(xhr);
      const run = async (url, abort) => {
        xhr.open('GET', url);
        const done = h.done(xhr);
        xhr.send();
        if (abort) xhr.abort();
        await done;
        return [xhr.status, xhr.responseText.length];
      };
      const out = [await run(h.u(h.M)), await run(h.u(h.N)), await run(h.u(h.M, { r: 'hang' }), true), await run(h.u(h.C))];
      // open() twice before send: only the last URL counts.
      xhr.open('GET', h.u(h.N)); xhr.open('GET', h.u(h.N, { r: 'text' }));
      const done = h.done(xhr); xhr.send(); await done;
      out.push(xhr.responseText);
      return { out, log };`,
  },
  {
    name: 'xhr download progress of a chunked body (matching)',
    captures: 1,
    code: String.raw`
      const xhr = new XMLHttpRequest();
      const log = h.trace(xhr);
      let partialIsPrefix = true;
      xhr.addEventListener('readystatechange', () => { if (xhr.readyState === 3) partialIsPrefix = partialIsPrefix && typeof xhr.responseText === 'string'; });
      xhr.open('GET', h.u(h.M, { r: 'chunks', n: '5', ms: '15' }));
      const done = h.done(xhr); xhr.send(); await done;
      // How many LOADING/progress rounds a chunked body gives depends on how the network coalesces
      // the chunks (it varies between identical runs without the extension too): keep their order,
      // count each kind once.
      const phase3 = (e) => e.startsWith('readystatechange:3') || e.startsWith('progress');
      const squashed = log.filter((e, i) => !phase3(e) || log.indexOf(e) === i);
      return { log: squashed, partialIsPrefix, text: xhr.responseText };`,
  },
  {
    name: 'xhr errors thrown by open, send, setRequestHeader and property setters',
    captures: 0,
    code: String.raw`
      const out = {};
      const t = (k, f) => { try { out[k] = { ok: f() === undefined ? 'undefined' : 'value' }; } catch (e) { out[k] = h.err(e); } };
      t('sendBeforeOpen', () => new XMLHttpRequest().send());
      t('headerBeforeOpen', () => new XMLHttpRequest().setRequestHeader('a', 'b'));
      t('openConnect', () => new XMLHttpRequest().open('CONNECT', h.u(h.M)));
      t('openBadUrl', () => new XMLHttpRequest().open('GET', 'http://[bad'));
      t('openOneArg', () => new XMLHttpRequest().open('GET'));
      t('openBadMethod', () => new XMLHttpRequest().open('G E T', h.u(h.M)));
      const sync = new XMLHttpRequest(); sync.open('GET', h.u(h.M), false);
      t('syncResponseType', () => { sync.responseType = 'json'; });
      t('syncTimeout', () => { sync.timeout = 10; });
      const j = new XMLHttpRequest(); j.responseType = 'json';
      t('responseTextOfJson', () => j.responseText);
      t('badHeaderName', () => { const x = new XMLHttpRequest(); x.open('GET', h.u(h.M)); x.setRequestHeader('a b', 'c'); });
      t('sendTwice', () => { const x = new XMLHttpRequest(); x.open('GET', h.u(h.N, { r: 'hang' })); x.send(); try { x.send(); } finally { x.abort(); } });
      return out;`,
  },
  {
    name: 'xhr withCredentials CORS to another origin (matching)',
    captures: 1,
    code: String.raw`return await h.xhr('GET', h.other + h.u(h.M, { cors: '1' }), { withCredentials: true });`,
  },
  {
    name: 'xhr CORS blocked to another origin (matching path)',
    captures: 0,
    code: String.raw`return await h.xhr('GET', h.other + h.u(h.M));`,
  },
  {
    name: 'xhr timing class of events with a slow server (matching and not)',
    captures: 1,
    code: String.raw`
      const out = {};
      for (const [k, path] of [['m', h.M], ['n', h.N]]) {
        const xhr = new XMLHttpRequest();
        const log = h.trace(xhr, { precise: true });
        xhr.open('GET', h.u(path, { r: 'slow', ms: '40' }));
        const done = h.done(xhr); xhr.send(); await done;
        out[k] = log;
      }
      return out;`,
  },
  // ---------------------------------------------------------------- the patched objects themselves
  {
    name: 'identity: instanceof, prototypes, length and name of fetch, open, send',
    captures: 1,
    code: String.raw`
      const xhr = new XMLHttpRequest();
      const p = fetch(h.u(h.M));
      const r = await p;
      const proto = XMLHttpRequest.prototype;
      const fn = (f) => ({ type: typeof f, name: f.name, length: f.length, own: Object.getOwnPropertyNames(f).sort(), hasPrototype: 'prototype' in f, proto: Object.getPrototypeOf(f) === Function.prototype });
      return {
        xhrInstance: xhr instanceof XMLHttpRequest, xhrTarget: xhr instanceof XMLHttpRequestEventTarget && xhr instanceof EventTarget,
        xhrProto: Object.getPrototypeOf(xhr) === proto, ctor: proto.constructor === XMLHttpRequest, xhrLength: XMLHttpRequest.length, xhrName: XMLHttpRequest.name,
        protoKeys: Object.getOwnPropertyNames(proto).sort(), protoSymbols: Object.getOwnPropertySymbols(proto).map(String),
        promise: p instanceof Promise, promiseProto: Object.getPrototypeOf(p) === Promise.prototype, ownKeysOfPromise: Reflect.ownKeys(p).length,
        response: r instanceof Response, responseProto: Object.getPrototypeOf(r) === Response.prototype,
        fetch: fn(fetch), open: fn(proto.open), send: fn(proto.send),
        sameFetch: window.fetch === fetch && self.fetch === fetch && globalThis.fetch === fetch,
        openIsStable: proto.open === new XMLHttpRequest().open,
        windowKeyIndex: Object.keys(window).includes('fetch'),
      };`,
  },
  {
    name: 'identity: property descriptors, construct, call and caller of the patched functions',
    captures: 0,
    code: String.raw`
      const d = (o, k) => { const x = Object.getOwnPropertyDescriptor(o, k); return x ? { w: x.writable, e: x.enumerable, c: x.configurable, value: typeof x.value, get: typeof x.get } : null; };
      const tryIt = (f) => { try { const v = f(); return { value: v === null ? 'null' : typeof v }; } catch (e) { return h.err(e); } };
      const proto = XMLHttpRequest.prototype;
      return {
        fetch: d(window, 'fetch'), open: d(proto, 'open'), send: d(proto, 'send'), abort: d(proto, 'abort'),
        fetchLength: d(fetch, 'length'), fetchName: d(fetch, 'name'), openLength: d(proto.open, 'length'),
        newFetch: tryIt(() => new window.fetch(h.u(h.N))), newOpen: tryIt(() => new proto.open('GET', '/')),
        // Without a call site, V8 names the function by its source text: see the source-text shape.
        constructFetch: ((e) => ({ name: e.name, type: e.type }))(tryIt(() => Reflect.construct(fetch, [h.u(h.N)]))),
        callerFetch: tryIt(() => fetch.caller), argumentsFetch: tryIt(() => fetch.arguments), callerOpen: tryIt(() => proto.open.caller),
        openOnObject: tryIt(() => proto.open.call({}, 'GET', '/')), sendOnObject: tryIt(() => proto.send.call({})),
        bound: typeof fetch.bind(window), boundName: fetch.bind(window).name,
      };`,
  },
  {
    name: 'identity: source text of the patched functions (documented difference) and an untouched toString',
    known: 'source-text',
    captures: 0,
    code: String.raw`
      const ts = Function.prototype.toString;
      return {
        source: { fetch: ts.call(fetch), open: ts.call(XMLHttpRequest.prototype.open), send: ts.call(XMLHttpRequest.prototype.send) },
        toStringIsNative: ts.call(ts), toStringOwn: Object.getOwnPropertyNames(ts).sort(), sameToString: fetch.toString === Function.prototype.toString,
        abort: ts.call(XMLHttpRequest.prototype.abort), xhrCtor: ts.call(XMLHttpRequest),
      };`,
  },
  {
    name: 'page patches built-ins after start: the interceptor calls none of them (matching)',
    captures: 3,
    code: String.raw`
      const RA = Reflect.apply;
      const counts = {};
      const restore = [];
      const wrap = (obj, key, label) => {
        const desc = Object.getOwnPropertyDescriptor(obj, key);
        const orig = desc.value;
        counts[label] = 0;
        Object.defineProperty(obj, key, Object.assign({}, desc, { value: function () { counts[label]++; return RA(orig, this, arguments); } }));
        restore.push(() => Object.defineProperty(obj, key, desc));
      };
      const tag = (proto, label) => {
        const desc = Object.getOwnPropertyDescriptor(proto, Symbol.toStringTag);
        counts[label] = 0;
        Object.defineProperty(proto, Symbol.toStringTag, { configurable: true, get() { counts[label]++; return desc.value; } });
        restore.push(() => Object.defineProperty(proto, Symbol.toStringTag, desc));
      };
      wrap(Promise.prototype, 'then', 'then'); wrap(JSON, 'stringify', 'stringify'); wrap(JSON, 'parse', 'parse');
      wrap(EventTarget.prototype, 'addEventListener', 'addEventListener'); wrap(EventTarget.prototype, 'removeEventListener', 'removeEventListener');
      wrap(EventTarget.prototype, 'dispatchEvent', 'dispatchEvent'); wrap(WeakMap.prototype, 'get', 'wmGet'); wrap(WeakMap.prototype, 'set', 'wmSet');
      wrap(RegExp.prototype, 'exec', 'exec'); wrap(RegExp.prototype, 'test', 'test'); wrap(String.prototype, 'toUpperCase', 'upper');
      wrap(Response.prototype, 'clone', 'clone'); wrap(Response.prototype, 'text', 'text'); wrap(Object, 'getOwnPropertyDescriptor', 'gopd');
      wrap(Reflect, 'apply', 'reflectApply'); wrap(Array.prototype, 'push', 'push'); wrap(Function.prototype, 'call', 'call'); wrap(Function.prototype, 'apply', 'apply');
      tag(Request.prototype, 'requestTag'); tag(URL.prototype, 'urlTag'); tag(Response.prototype, 'responseTag'); tag(XMLHttpRequest.prototype, 'xhrTag');
      const NativeURL = window.URL; counts.URL = 0;
      window.URL = function URL(u, b) { counts.URL++; return new NativeURL(u, b); }; window.URL.prototype = NativeURL.prototype;
      const NativeCE = window.CustomEvent; counts.CustomEvent = 0;
      window.CustomEvent = function CustomEvent(t, i) { counts.CustomEvent++; return new NativeCE(t, i); };
      // Last in, first out: getters on Object.prototype for what a dictionary or descriptor may read.
      const OP = ['bubbles', 'cancelable', 'composed', 'detail', 'value'];
      for (const k of OP) { counts['Object.prototype.' + k] = 0; Object.defineProperty(Object.prototype, k, { configurable: true, get() { counts['Object.prototype.' + k]++; return undefined; } }); }
      const unOP = () => { for (const k of OP) delete Object.prototype[k]; };
      let result;
      try {
        const xhr = new XMLHttpRequest();
        const loaded = new Promise((r) => { xhr.onloadend = r; });
        xhr.open('get', h.u(h.M)); xhr.send(); await loaded;
        const r1 = await fetch(new Request(h.u(h.M), { method: 'GET' }));
        const r2 = await fetch(new NativeURL(h.u(h.M), location.href), { method: 'GET' });
        const bodies = [xhr.status, r1.status, r2.status];
        await h.tasks(3);
        unOP();
        result = { bodies, counts: Object.assign({}, counts) };
      } finally {
        unOP();
        window.URL = NativeURL; window.CustomEvent = NativeCE;
        for (const f of restore.reverse()) f();
      }
      return result;`,
  },
  {
    name: 'page wraps fetch and XHR on top of them (monitoring-library style, matching)',
    captures: 2,
    code: String.raw`
      const seen = [];
      const prevFetch = window.fetch;
      window.fetch = function (input, init) { seen.push('fetch'); return prevFetch.apply(this, arguments); };
      const prevOpen = XMLHttpRequest.prototype.open;
      XMLHttpRequest.prototype.open = function () { seen.push('open:' + arguments[0]); return prevOpen.apply(this, arguments); };
      try {
        const r = await fetch(h.u(h.M));
        const x = await h.xhr('GET', h.u(h.C));
        return { seen, fetched: await r.json(), x: x.result.responseText.length };
      } finally { window.fetch = prevFetch; XMLHttpRequest.prototype.open = prevOpen; }`,
  },
  // ---------------------------------------------------------------- from an inline <head> script
  {
    name: 'head: axios-style XHR with credentials before any other script (matching)',
    head: true,
    captures: 1,
    code: String.raw`
      const state = document.readyState;
      const r = await h.xhr('GET', h.u(h.M, { username: 'u' }), { withCredentials: true, headers: { accept: 'application/json, text/plain, */*' } });
      return { state, r };`,
  },
  {
    name: 'head: fetch before any other script (matching)',
    head: true,
    captures: 1,
    code: String.raw`
      const state = document.readyState;
      const r = await fetch(h.u(h.B, { r: 'echo' }), { method: 'POST', credentials: 'include', body: '{}', headers: { 'content-type': 'application/json' } });
      return { state, res: h.res(r), body: await r.json() };`,
  },
  {
    name: 'head: synchronous XHR blocks the parser (matching)',
    head: true,
    captures: 1,
    code: String.raw`
      const x = await h.xhr('GET', h.u(h.M), { async: false });
      return { x, bodyYet: document.body === null };`,
  },
  {
    name: 'head: non-matching fetch and XHR, and identity, before any other script',
    head: true,
    captures: 0,
    code: String.raw`
      const r = await fetch(h.u(h.N));
      const x = await h.xhr('GET', h.u(h.N));
      return { res: h.res(r), x, fetchName: fetch.name, fetchLength: fetch.length, proto: 'prototype' in fetch, openLength: XMLHttpRequest.prototype.open.length };`,
  },
];

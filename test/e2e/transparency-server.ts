// One loopback HTTP server for the transparency and hostile suites: it serves blank test pages at
// http://localhost:<port>/t (so the manifest's `http://localhost/*` content scripts apply) and API
// endpoints at paths the interceptor reads (enterprise-learner, enterprise-customer, the BFF) and at
// paths it does not. What an endpoint does is chosen by query parameters, so one path can answer
// JSON, text, bytes, a redirect, an error status, slow or streamed chunks, a hanging response or a
// gigantic body:
//   ?r=json|text|bytes|form|status|redirect|slow|chunks|hang|big|badjson|html|echo|cookie|raw
//   &s=<shape>  tags the request for the per-shape request log (hanging requests are not logged:
//               whether one reached the server before the page aborted it is a race, not a result)
// The same origin on 127.0.0.1 is a second origin, for cross-origin (CORS, no-cors) requests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServers, listenOnLoopback } from '../loopback';
import { randomToken } from '../random';

export interface LoopbackOptions {
  /** The page's inline <head> code for `/t?shape=<name>&head=1`, by shape name. */
  headCode?: (shape: string) => string | null;
  /** Extra HTML for the body of `/t` pages. */
  bodyHtml?: string;
}

export interface Loopback {
  /** http://localhost:<port> */
  origin: string;
  /** http://127.0.0.1:<port>, another origin on the same server */
  other: string;
  /** The `enterprise_features` map every JSON answer carries; keys are random per server. */
  features: Record<string, boolean>;
  /** `METHOD path r` of each tagged request, by shape. */
  log: Map<string, string[]>;
  /** Every request line (method, path and query), in arrival order. */
  all: string[];
  close(): Promise<void>;
}

/** The prelude every test page runs first: helpers the shapes share (the same with and without the extension). */
export const PRELUDE = String.raw`(() => {
  const q = new URLSearchParams(location.search);
  const s = q.get('shape') || '';
  const h = { s };
  h.M = '/enterprise/api/v1/enterprise-learner/';
  h.C = '/enterprise/api/v1/enterprise-customer/';
  h.B = '/api/v1/bffs/learner/dashboard/';
  h.N = '/plain/api/';
  h.other = location.protocol + '//127.0.0.1:' + location.port;
  h.dead = 'http://localhost:1';
  h.u = (path, params) => {
    const sp = new URLSearchParams(Object.assign({ s }, params || {}));
    return path + (path.indexOf('?') < 0 ? '?' : '&') + sp.toString();
  };
  // What the interceptor hands to the content script; counted by the runner, never part of a record.
  // (No method calls on built-ins here: shapes count calls to patched built-ins.)
  h.envelopes = [];
  document.addEventListener('waffle-inspector:response', (e) => {
    h.envelopes[h.envelopes.length] = typeof e.detail === 'string' ? e.detail.slice(0, 300) : typeof e.detail;
  });
  h.err = (e) => {
    if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return { thrown: typeof e, value: String(e) };
    return {
      name: e.name, message: e.message, ctor: e.constructor && e.constructor.name,
      dom: e instanceof DOMException, type: e instanceof TypeError, error: e instanceof Error, code: e.code,
    };
  };
  h.settle = (p) => p.then((v) => ({ ok: v }), (e) => ({ err: h.err(e) }));
  h.headers = (hs) => { const out = []; hs.forEach((v, k) => out.push(k + ': ' + v)); return out; };
  h.res = (r) => ({
    status: r.status, statusText: r.statusText, ok: r.ok, type: r.type, redirected: r.redirected, url: r.url,
    bodyUsed: r.bodyUsed, headers: h.headers(r.headers), isResponse: r instanceof Response, hasBody: r.body !== null,
  });
  h.hash = (bytes) => { let x = 2166136261; for (let i = 0; i < bytes.length; i++) { x ^= bytes[i]; x = Math.imul(x, 16777619) >>> 0; } return x; };
  h.hashStr = (str) => { let x = 2166136261; for (let i = 0; i < str.length; i++) { x ^= str.charCodeAt(i); x = Math.imul(x, 16777619) >>> 0; } return x + ':' + str.length; };
  // Timing class of an observation relative to when the clock started: 'sync' (before the current
  // script returned), 'microtask' (in its microtask checkpoint) or 'task' (after a setTimeout(0)
  // queued at the start). Never milliseconds.
  h.clock = () => {
    const st = { phase: 'sync' };
    Promise.resolve().then(() => { if (st.phase === 'sync') st.phase = 'microtask'; });
    setTimeout(() => { st.phase = 'task'; }, 0);
    return () => st.phase;
  };
  h.tasks = (n) => new Promise((r) => { const go = (k) => (k <= 0 ? r() : setTimeout(() => go(k - 1), 0)); go(n || 1); });
  // Every event of an XHR (and of its upload if asked), consecutive repeats folded (progress and
  // readystatechange(3) fire as often as the network delivers chunks), with its timing class
  // ('sync' or 'async'; 'precise' gives sync/microtask/task).
  h.trace = (xhr, opts) => {
    opts = opts || {};
    const log = [];
    const clock = h.clock();
    const phase = () => { const p = clock(); return opts.precise ? p : (p === 'sync' ? 'sync' : 'async'); };
    const push = (entry) => { if (log[log.length - 1] !== entry) log.push(entry); };
    const types = ['readystatechange', 'loadstart', 'progress', 'abort', 'error', 'load', 'timeout', 'loadend'];
    for (const t of types) {
      xhr.addEventListener(t, (e) => {
        // How many progress events fire, and whether the last comes before or after readyState 4,
        // depends on how the network delivers chunks: a progress entry says only that it fired.
        let entry = t === 'progress' ? 'progress:' + phase() : t + ':' + xhr.readyState + ':' + xhr.status + ':' + phase();
        if (t === 'load') entry += ':' + e.lengthComputable + ':' + e.loaded + '/' + e.total;
        push(entry);
      });
      if (opts.upload) xhr.upload.addEventListener(t, (e) => push('upload.' + t + ':' + phase() + (t === 'load' ? ':' + e.loaded : '')));
    }
    return log;
  };
  h.done = (xhr) => new Promise((r) => xhr.addEventListener('loadend', () => r(), { once: true }));
  h.xhrResult = async (xhr) => {
    const out = {
      readyState: xhr.readyState, status: xhr.status, statusText: xhr.statusText, responseURL: xhr.responseURL,
      headers: xhr.getAllResponseHeaders(), responseType: xhr.responseType,
    };
    try { out.responseText = xhr.responseText; } catch (e) { out.responseText = { err: h.err(e) }; }
    try {
      const r = xhr.response;
      if (r === null || typeof r === 'string') out.response = r;
      else if (r instanceof Blob) out.response = { blob: true, type: r.type, size: r.size, text: await r.text() };
      else if (r instanceof ArrayBuffer) out.response = { arraybuffer: true, size: r.byteLength, hash: h.hash(new Uint8Array(r)) };
      else if (r instanceof Document) out.response = { document: true, title: r.title, html: r.documentElement.outerHTML.length, isDoc: r instanceof Document };
      else out.response = { json: JSON.stringify(r) };
    } catch (e) { out.response = { err: h.err(e) }; }
    try { out.responseXML = xhr.responseXML === null ? null : typeof xhr.responseXML; } catch (e) { out.responseXML = { err: h.err(e) }; }
    return out;
  };
  // Runs one XHR to the end: trace + result.
  h.xhr = async (method, url, opts) => {
    opts = opts || {};
    const xhr = new XMLHttpRequest();
    const log = h.trace(xhr, opts);
    xhr.open(method, url, opts.async !== false);
    if (opts.responseType !== undefined) xhr.responseType = opts.responseType;
    if (opts.withCredentials) xhr.withCredentials = true;
    if (opts.timeout) xhr.timeout = opts.timeout;
    if (opts.mime) xhr.overrideMimeType(opts.mime);
    for (const [k, v] of Object.entries(opts.headers || {})) xhr.setRequestHeader(k, v);
    const done = h.done(xhr);
    let sendError = null;
    try { xhr.send(opts.body === undefined ? null : opts.body); } catch (e) { sendError = h.err(e); }
    if (sendError === null) await done;
    return { log, sendError, result: await h.xhrResult(xhr) };
  };
  window.__h = h;
})();`;

export async function startLoopback(options: LoopbackOptions = {}): Promise<Loopback> {
  const features: Record<string, boolean> = { [`t_${randomToken()}_on`]: true, [`t_${randomToken()}_off`]: false };
  const log = new Map<string, string[]>();
  const all: string[] = [];
  const server = createServer();
  const port = await listenOnLoopback(server);
  const origin = `http://localhost:${port}`;
  const other = `http://127.0.0.1:${port}`;

  const json = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ count: 1, results: [], enterprise_features: features, ...extra });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.sendDate = false;
    const url = new URL(req.url ?? '/', origin);
    const q = url.searchParams;
    const r = q.get('r') ?? 'json';
    const shape = q.get('s');
    all.push(`${req.method} ${url.pathname}${url.search}`);
    if (shape !== null && r !== 'hang') {
      const list = log.get(shape) ?? [];
      list.push(`${req.method} ${url.pathname} ${r}${q.get('code') ? ` ${q.get('code')}` : ''}`);
      log.set(shape, list);
    }
    res.on('error', () => undefined);
    req.on('error', () => undefined);

    if (url.pathname === '/t' || url.pathname === '/t/') return void page(res, q);
    if (url.pathname === '/favicon.ico') return void res.writeHead(404).end();

    const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-wi-test': 'yes' };
    if (q.get('cors') === '1') {
      headers['access-control-allow-origin'] = req.headers.origin ?? '*';
      headers['access-control-allow-credentials'] = 'true';
      headers['access-control-allow-headers'] = 'content-type, x-test';
      headers['access-control-allow-methods'] = 'GET, POST, PUT, DELETE';
      if (req.method === 'OPTIONS') return void res.writeHead(204, headers).end();
    }
    const send = (status: number, type: string, body: string | Buffer) =>
      void res.writeHead(status, { ...headers, 'content-type': type }).end(body);

    switch (r) {
      case 'json':
        return send(200, 'application/json', json({ shape }));
      case 'text':
        return send(200, 'text/plain; charset=utf-8', `hello ${shape} — ünïcödé`);
      case 'jsontext':
        return send(200, 'text/plain', json({ shape }));
      case 'bytes':
        return send(200, 'application/octet-stream', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
      case 'form':
        return send(200, 'application/x-www-form-urlencoded', 'a=1&b=two+words&c=%C3%BC');
      case 'status': {
        const code = Number(q.get('code') ?? '500');
        if (code === 204 || code === 304) return void res.writeHead(code, headers).end();
        return send(code, 'application/json', JSON.stringify({ detail: `status ${code}` }));
      }
      case 'redirect': {
        const code = Number(q.get('code') ?? '302');
        const to = q.get('to') ?? '/plain/api/';
        return void res
          .writeHead(code, { ...headers, location: `${to}?s=${shape ?? ''}&r=${q.get('then') ?? 'json'}` })
          .end();
      }
      case 'slow': {
        const ms = Number(q.get('ms') ?? '30');
        const timer = setTimeout(() => send(200, 'application/json', json({ shape })), ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'chunks': {
        const n = Number(q.get('n') ?? '5');
        const ms = Number(q.get('ms') ?? '10');
        res.writeHead(200, { ...headers, 'content-type': 'text/plain' });
        let i = 0;
        const next = () => {
          if (res.destroyed) return;
          if (i >= n) return void res.end();
          res.write(`chunk ${i++};`);
          timer = setTimeout(next, ms);
        };
        let timer = setTimeout(next, 0);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'hang':
        // Never answers; the page aborts or times out. Closed with the server.
        return;
      case 'headers-hang':
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        res.write('{"enterprise_features": {');
        return;
      case 'big': {
        const mb = Number(q.get('mb') ?? '3');
        const filler = 'x'.repeat(1024);
        const items = Array.from({ length: mb * 1024 }, (_, i) => `"${i}-${filler}"`).join(',');
        return send(200, 'application/json', `{"enterprise_features":${JSON.stringify(features)},"filler":[${items}]}`);
      }
      case 'badjson':
        return send(200, 'application/json', '{"enterprise_features": {"a": tru');
      case 'html': {
        const code = Number(q.get('code') ?? '200');
        return send(
          code,
          'text/html; charset=utf-8',
          '<!doctype html><html><head><title>Server Error</title></head><body><h1>Oops</h1></body></html>',
        );
      }
      case 'raw': {
        // A body given by the test, base64url in `b`, with `type` and `code`.
        const body = Buffer.from(q.get('b') ?? '', 'base64url');
        return send(Number(q.get('code') ?? '200'), q.get('type') ?? 'application/json', body);
      }
      case 'cookie':
        res.setHeader('set-cookie', `wi_t_${shape ?? 'x'}=v1; Path=/; SameSite=Lax`);
        return send(200, 'application/json', json({ shape }));
      case 'echo': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          // A multipart boundary is random per request: only its presence is reported.
          const type = (req.headers['content-type'] ?? '').replace(/boundary=[^;]+/, 'boundary=*');
          const multipart = type.includes('boundary=');
          const echoed = {
            method: req.method,
            type,
            length: multipart ? null : body.length,
            body: multipart ? body.includes('name="f1"') : body.toString('latin1'),
            xtest: req.headers['x-test'] ?? null,
          };
          send(200, 'application/json', json({ echo: echoed }));
        });
        return;
      }
      default:
        return send(400, 'text/plain', `unknown r=${r}`);
    }
  });

  function page(res: ServerResponse, q: URLSearchParams): void {
    const shape = q.get('shape') ?? '';
    const head = q.get('head') === '1' && options.headCode ? options.headCode(shape) : null;
    const headScript =
      head === null ? '' : `<script>window.__headResult = (async (h) => {\n${head}\n})(window.__h);</script>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html>
<html><head><meta charset="utf-8"><title>transparency ${shape.replace(/[<>&"]/g, '')}</title>
<script>${PRELUDE}</script>
${headScript}
</head><body><p>test page</p>${options.bodyHtml ?? ''}</body></html>`);
  }

  return {
    origin,
    other,
    features,
    log,
    all,
    close: () => closeServers(server),
  };
}

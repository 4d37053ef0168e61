// The bench's portal: a loopback page on http://localhost:<port>/ (a host the extension's content
// scripts match) and an API origin on another port, as a real portal calls the LMS and the BFF
// cross-origin with credentials. One run of the page fires REQUESTS requests, half XHR and half fetch,
// awaited in waves of WAVE, to either paths no source reads or the enterprise endpoints the extension
// reads; every answer is the same JSON body (~2.5 KB, shaped like the recorded enterprise-learner),
// so the two modes differ only in the URL.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fixture } from '../test/fixtures';
import { closeServers, listenOnLoopback } from '../test/loopback';

export const REQUESTS = 200;
export const WAVE = 20;

export type Mode = 'other' | 'match';

/**
 * A host name the extension does not match (its content scripts and host permissions name localhost
 * and 127.0.0.1), mapped to 127.0.0.1 by the bench browsers (HOST_RULE): the same page, the same
 * server, in the same browser — but with the extension inactive.
 */
export const OFF_HOST = 'bench.test';
export const HOST_RULE = `MAP ${OFF_HOST} 127.0.0.1`;

export interface BenchServer {
  portal: string;
  api: string;
  /** The bench page where the extension is active (localhost), or inactive (OFF_HOST). */
  pageUrl(mode: Mode, host?: 'localhost' | typeof OFF_HOST): string;
  close(): Promise<void>;
}

/** The body every API request gets: the recorded enterprise-learner response, with ~40 feature keys. */
export function benchBody(): string {
  const body = fixture<Record<string, unknown>>('lms-enterprise-api-v1-enterprise-learner.json');
  const features: Record<string, boolean> = {};
  for (let i = 0; i < 40; i++) features[`enterprise_bench_feature_${i}`] = i % 3 === 0;
  body['enterprise_features'] = { ...(body['enterprise_features'] as object), ...features };
  return JSON.stringify(body);
}

/**
 * The page's runner, `window.__run()`: REQUESTS requests in waves of WAVE (half XHR, half fetch; GET and
 * POST alternate, as a portal's learner GET and BFF POST do); resolves with the wall time in ms once
 * every body was read by the page (XHR: responseText; fetch: response.text()).
 */
function page(api: string, mode: Mode): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Waffle Inspector bench portal</title></head>
<body><h1 data-testid="bench">bench (${mode})</h1>
<script>
  (function () {
    var API = ${JSON.stringify(api)};
    var MODE = ${JSON.stringify(mode)};
    function url(i, post) {
      if (MODE === 'match') {
        return post ? API + '/api/v1/bffs/learner/dashboard/' : API + '/enterprise/api/v1/enterprise-learner/?page=' + i;
      }
      return API + '/api/other/' + i + '/';
    }
    function xhr(i, post) {
      return new Promise(function (resolve, reject) {
        var x = new XMLHttpRequest();
        x.open(post ? 'POST' : 'GET', url(i, post));
        x.withCredentials = true;
        if (post) x.setRequestHeader('content-type', 'application/json');
        x.onload = function () { resolve(x.responseText.length); };
        x.onerror = function () { reject(new Error('xhr failed')); };
        x.send(post ? '{}' : null);
      });
    }
    function get(i, post) {
      var init = { credentials: 'include' };
      if (post) { init.method = 'POST'; init.headers = { 'content-type': 'application/json' }; init.body = '{}'; }
      return fetch(url(i, post), init).then(function (r) { return r.text(); }).then(function (t) { return t.length; });
    }
    window.__run = async function () {
      var started = performance.now();
      var bytes = 0;
      for (var w = 0; w < ${REQUESTS}; w += ${WAVE}) {
        var wave = [];
        for (var i = w; i < w + ${WAVE}; i++) {
          var post = i % 4 >= 2;
          wave.push(i % 2 === 0 ? xhr(i, post) : get(i, post));
        }
        var sizes = await Promise.all(wave);
        for (var s = 0; s < sizes.length; s++) bytes += sizes[s];
      }
      return { ms: performance.now() - started, bytes: bytes };
    };
  })();
</script>
</body></html>`;
}

export async function startBenchServer(): Promise<BenchServer> {
  const body = benchBody();
  const api = createServer();
  const portal = createServer();
  const apiPort = await listenOnLoopback(api);
  const portalPort = await listenOnLoopback(portal);
  const portalOrigin = `http://localhost:${portalPort}`;
  const apiOrigin = `http://localhost:${apiPort}`;

  const portals = new Set([portalOrigin, `http://${OFF_HOST}:${portalPort}`]);
  api.keepAliveTimeout = 60_000;
  api.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin ?? '';
    res.setHeader('Access-Control-Allow-Origin', portals.has(origin) ? origin : portalOrigin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'content-type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Max-Age', '600');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
    });
  });

  portal.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', portalOrigin);
    const mode: Mode = url.searchParams.get('mode') === 'match' ? 'match' : 'other';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(apiOrigin, mode));
  });

  return {
    portal: portalOrigin,
    api: apiOrigin,
    pageUrl: (mode, host = 'localhost') => `http://${host}:${portalPort}/?mode=${mode}`,
    close: () => closeServers(api, portal),
  };
}

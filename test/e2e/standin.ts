// A loopback stand-in for a portal and its APIs, served by the test itself: two origins (portal and
// LMS/BFF), CORS with credentials as the real LMS does, bodies shaped like the recorded fixtures with
// values chosen at random per run, so nothing a test asserts can be hard-coded in the extension.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fixture, REPO_ROOT } from '../fixtures';
import { closeServers, listenOnLoopback } from '../loopback';
import { random, randomToken, randomUuid } from '../random';

export interface StandinOptions {
  username: string;
  /** Feature maps per endpoint; each endpoint answers with its own. */
  learnerFeatures: Record<string, boolean>;
  bffFeatures: Record<string, boolean>;
  enterprise: { uuid: string; name: string; slug: string };
  /** Extra cookies to set on the portal page (e.g. a JWT header.payload). */
  cookies?: Record<string, string>;
  /** Host name of the portal's origin (default `localhost`), e.g. `acme.localhost` for a custom environment. */
  portalHost?: string;
  /**
   * The other endpoints that carry the map (with_access_to, support_tool, BFF routes), by path: each
   * answers its recorded shape with these features. The page calls them only when a test asks it to.
   */
  moreFeatures?: Record<string, Record<string, boolean>>;
  /** Body overrides per path (raw text), for hostile-server tests. */
  rawBodies?: Record<string, { status?: number; contentType?: string; body: string }>;
}

export interface Standin {
  portal: string;
  api: string;
  requests: string[];
  close(): Promise<void>;
}

const AXIOS = readFileSync(join(REPO_ROOT, 'node_modules', 'axios', 'dist', 'axios.min.js'), 'utf8');

/** The recorded shape each of the other endpoints answers with. */
export const MORE_FIXTURES: Record<string, string> = {
  '/enterprise/api/v1/enterprise-customer/with_access_to/':
    'lms-enterprise-api-v1-enterprise-customer-with_access_to.json',
  '/enterprise/api/v1/enterprise-customer/support_tool/': 'lms-enterprise-api-v1-enterprise-customer-support_tool.json',
  '/api/v1/bffs/learner/search/': 'enterprise-access-api-v1-bffs-learner-search.json',
  '/api/v1/bffs/learner/academy/': 'enterprise-access-api-v1-bffs-learner-academy.json',
  '/api/v1/bffs/learner/skills-quiz/': 'enterprise-access-api-v1-bffs-learner-skills-quiz.json',
};

async function listen(server: Server, host = 'localhost'): Promise<string> {
  return `http://${host}:${await listenOnLoopback(server)}`;
}

export function randomFeatures(keys: readonly string[], extra = 2): Record<string, boolean> {
  const map: Record<string, boolean> = {};
  for (const k of keys) map[k] = random() < 0.5;
  for (let i = 0; i < extra; i++) map[`unknown_key_${randomToken()}`] = random() < 0.5;
  // Make sure both values occur at least once.
  const first = Object.keys(map)[0]!;
  const second = Object.keys(map)[1]!;
  map[first] = true;
  map[second] = false;
  return map;
}

/**
 * A signed-in user of a new enterprise, both random, whose portal answers `learnerKeys` and `bffKeys`
 * on or off at random; `claims` adds to the JWT's (it may name the enterprise).
 */
export function randomPortal(
  learnerKeys: readonly string[],
  bffKeys: readonly string[],
  claims: (enterprise: StandinOptions['enterprise']) => Record<string, unknown> = () => ({}),
): StandinOptions {
  const username = `qa-${randomToken()}`;
  const enterprise = { uuid: randomUuid(), name: `Enterprise ${randomToken()}`, slug: `ent-${randomToken()}` };
  return {
    username,
    enterprise,
    learnerFeatures: randomFeatures(learnerKeys),
    bffFeatures: randomFeatures(bffKeys),
    cookies: {
      'edx-jwt-cookie-header-payload': jwtCookieValue({
        preferred_username: username,
        email: `${username}@example.com`,
        exp: Math.floor(Date.now() / 1000) + 3600,
        roles: [],
        ...claims(enterprise),
      }),
    },
  };
}

export function jwtCookieValue(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
}

export async function startStandin(options: StandinOptions): Promise<Standin> {
  const requests: string[] = [];
  const api = createServer();
  const portal = createServer();
  const apiOrigin = await listen(api);
  const portalOrigin = await listen(portal, options.portalHost);

  const learnerBody = () => {
    const body = fixture<Record<string, unknown> & { results: Record<string, unknown>[] }>(
      'lms-enterprise-api-v1-enterprise-learner.json',
    );
    const link = body.results[0]!;
    link['enterprise_customer'] = { ...(link['enterprise_customer'] as object), ...options.enterprise };
    link['user'] = { ...(link['user'] as object), username: options.username };
    body['enterprise_features'] = options.learnerFeatures;
    return JSON.stringify(body);
  };
  const bffBody = () => {
    const body = fixture<Record<string, unknown>>('enterprise-access-api-v1-bffs-learner-dashboard.json');
    body['enterprise_customer'] = { ...options.enterprise, active: true };
    body['enterprise_features'] = options.bffFeatures;
    return JSON.stringify(body);
  };

  const moreBody = (path: string, features: Record<string, boolean>) => {
    const body = fixture<Record<string, unknown>>(
      MORE_FIXTURES[path] ?? 'enterprise-access-api-v1-bffs-learner-dashboard.json',
    );
    body['enterprise_features'] = features;
    return JSON.stringify(body);
  };

  api.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', apiOrigin);
    requests.push(`${req.method} ${url.pathname}`);
    res.setHeader('Access-Control-Allow-Origin', portalOrigin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, x-csrftoken');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const raw = options.rawBodies?.[url.pathname];
    if (raw) {
      res.writeHead(raw.status ?? 200, { 'content-type': raw.contentType ?? 'application/json' });
      return void res.end(raw.body);
    }
    if (url.pathname === '/enterprise/api/v1/enterprise-learner/' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(learnerBody());
    }
    if (url.pathname === '/api/v1/bffs/learner/dashboard/' && req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(bffBody());
      });
      return;
    }
    const more = options.moreFeatures?.[url.pathname];
    if (more) {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(moreBody(url.pathname, more));
      });
      return;
    }
    if (url.pathname === '/api/unrelated/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"enterprise_features":{"must_not_be_captured":true}}');
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not found."}');
  });

  portal.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', portalOrigin);
    if (url.pathname === '/axios.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return void res.end(AXIOS);
    }
    const cookies = Object.entries(options.cookies ?? {}).map(([k, v]) => `${k}=${v}; Path=/; SameSite=Lax`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': cookies });
    res.end(portalPage(apiOrigin, options.username));
  });

  return {
    portal: portalOrigin,
    api: apiOrigin,
    requests,
    close: () => closeServers(api, portal),
  };
}

/**
 * The portal page: in <head>, axios (as the MFEs use it, withCredentials) calls enterprise-learner
 * before any other script has run; after load, `fetch` POSTs to the BFF. The page records what it
 * received so the test can compare it with what the extension shows.
 */
function portalPage(api: string, username: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Stand-in learner portal</title>
<script src="/axios.js"></script>
<script>
  window.__received = {};
  window.__pending = 2;
  window.__learner = axios.get(${JSON.stringify(api)} + '/enterprise/api/v1/enterprise-learner/?username=' + ${JSON.stringify(encodeURIComponent(username))} + '&page=1', { withCredentials: true })
    .then(function (r) { window.__received.learner = r.data.enterprise_features; })
    .catch(function (e) { window.__received.learnerError = String(e); })
    .finally(function () { window.__pending -= 1; });
  axios.get(${JSON.stringify(api)} + '/api/unrelated/', { withCredentials: true });
</script></head>
<body><h1>Stand-in learner portal</h1>
<script>
  window.addEventListener('load', function () {
    // After the learner call settles, so the order of captures (and "latest wins") is deterministic.
    window.__learner.finally(function () { return fetch(${JSON.stringify(api)} + '/api/v1/bffs/learner/dashboard/', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' })
      .then(function (r) { return r.json(); })
      .then(function (d) { window.__received.bff = d.enterprise_features; })
      .catch(function (e) { window.__received.bffError = String(e); })
      .finally(function () { window.__pending -= 1; }); });
  });
</script>
</body></html>`;
}

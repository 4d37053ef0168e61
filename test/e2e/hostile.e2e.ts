// Nothing a page or a server sends makes the extension act or lie.
// - A hostile page forges window.postMessage payloads and capture events (the CustomEvent the
//   interceptor uses) of every malformed shape; none reaches the backend, none reloads the tab,
//   hostile strings render as text in the popup, nothing pollutes a prototype, nothing throws into
//   the page.
// - The background checks who sends each message: a content script may not send the popup's messages
//   (reload, state, backend calls), an extension page may not send a content script's.
// - Hostile or broken server responses reach the portal unchanged, and the popup says what it could
//   not read.
import type { HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeResults } from '../../src/core/results';
import { BROWSERS, launch, type Session } from './browsers';
import { startLoopback, type Loopback } from './transparency-server';
import { randomToken } from '../random';

const TAG = 'waffle-inspector';
const EVENT = 'waffle-inspector:response';
const M = '/enterprise/api/v1/enterprise-learner/';
/** Paths of the backend the extension may call (src/core/backend.ts); no hostile input may reach them. */
const BACKEND = /\/api\/waffle-enrollments\/|\/csrf\/api\/|\/login_refresh/;
const BACKEND_WRITE = /^(?:POST|PUT|PATCH|DELETE) .*\/api\/waffle-enrollments\/|\/csrf\/api\/|\/login_refresh/;

const XSS_KEY = `<img src=x onerror="window.__pwned=1">${randomToken()}`;
const SCRIPT_KEY = `<script>window.__pwned=2</script>${randomToken()}`;
const XSS_NAME = `<img src=x onerror="window.__pwned=3"><b>Evil ${randomToken()}</b>`;
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];

/** The detail string the interceptor would send (see src/core/envelope.ts). */
function envelope(method: string, url: string, status: number | string, note: string, body: string): string {
  return `wi1\n${method}\n${url}\n${status}\n${note}\n${body}`;
}

/**
 * A well-formed `page/results` batch (src/core/results.ts) reporting `key` on: what a content script
 * sends. Only the sender makes the background refuse it.
 */
function results(url: string, key: string): string {
  return encodeResults([
    {
      kind: 'snapshot',
      snapshot: {
        source: 'enterprise-learner',
        method: 'GET',
        url,
        status: 200,
        capturedAt: Date.now(),
        flags: [{ key, flag: null, on: true }],
        enterprise: null,
        username: null,
      },
      problems: [],
    },
  ]);
}

/** Forged window.postMessage payloads, of the shapes an attacker would guess. */
function postMessages(origin: string): { name: string; payload: string }[] {
  const body = (key: string) => JSON.stringify({ enterprise_features: { [key]: true } });
  return [
    {
      name: 'popup/reload in the extension format',
      payload: `({ tag: '${TAG}', type: 'popup/reload', payload: { tabId: 1 } })`,
    },
    {
      name: 'backend/enroll in the extension format',
      payload: `({ tag: '${TAG}', type: 'backend/enroll', payload: { flag: 'enterprise.x', reason: 'r', durationSeconds: 60 } })`,
    },
    {
      name: 'backend/revoke',
      payload: `({ tag: '${TAG}', type: 'backend/revoke', payload: { id: 1 } })`,
    },
    {
      name: 'page/results with forged flags',
      payload: `({ tag: '${TAG}', type: 'page/results', payload: { json: ${JSON.stringify(results(origin + M, 'pm_forged_1'))} } })`,
    },
    { name: 'an envelope string', payload: JSON.stringify(envelope('GET', origin + M, 200, '', body('pm_forged_2'))) },
    {
      name: 'the event name and an envelope',
      payload: `({ type: '${EVENT}', detail: ${JSON.stringify(envelope('GET', origin + M, 200, '', body('pm_forged_3')))} })`,
    },
    {
      name: 'wrong source tag',
      payload: `({ source: 'waffle-inspector-devtools', tag: 'wi', type: 'popup/reload', payload: { tabId: 1 } })`,
    },
    {
      name: '__proto__ pollution',
      payload: `JSON.parse('{"__proto__": {"polluted": "yes"}, "tag": "${TAG}", "type": "page/start", "payload": {"url": "${origin}/", "identity": {"status": "missing"}}}')`,
    },
    { name: '10k-deep nesting', payload: `JSON.parse('['.repeat(10000) + ']'.repeat(10000))` },
    { name: '1k-deep nesting (clonable)', payload: `JSON.parse('['.repeat(1000) + ']'.repeat(1000))` },
    { name: 'oversize string (5 MB)', payload: `'x'.repeat(5 * 1024 * 1024)` },
  ];
}

/** Forged capture events: name, the JS expression of the detail, and whether it must be dropped. */
function forgedEvents(origin: string): { name: string; detail: string }[] {
  const ok = (key: string) => JSON.stringify({ enterprise_features: { [key]: true } });
  const e = (method: string, url: string, status: number | string, note: string, body: string) =>
    JSON.stringify(envelope(method, url, status, note, body));
  return [
    { name: 'wrong version', detail: e('GET', origin + M, 200, '', ok('ev_wrong_version')).replace('wi1', 'wi0') },
    { name: 'oversize detail', detail: `${e('GET', origin + M, 200, '', '')} + 'x'.repeat(1_100_000)` },
    { name: 'newline-injected status field', detail: e('GET', `${origin}${M}\nPOST`, 200, '', ok('ev_newline')) },
    { name: 'lower-case method', detail: e('get', origin + M, 200, '', ok('ev_lower')) },
    { name: 'method with markup', detail: e('<B>GET</B>', origin + M, 200, '', ok('ev_markup_method')) },
    { name: 'javascript: URL', detail: e('GET', `javascript:alert(1)//${M}`, 200, '', ok('ev_js_url')) },
    { name: 'data: URL', detail: e('GET', `data:text/html,${M}`, 200, '', ok('ev_data_url')) },
    { name: 'status out of range', detail: e('GET', origin + M, 99999, '', ok('ev_status')) },
    { name: 'status not a number', detail: e('GET', origin + M, 'NaN', '', ok('ev_nan')) },
    { name: 'object detail', detail: `({ toString() { return ${e('GET', origin + M, 200, '', ok('ev_object'))}; } })` },
    { name: 'number detail', detail: '42' },
    { name: 'null detail', detail: 'null' },
    { name: 'array detail', detail: `[${e('GET', origin + M, 200, '', ok('ev_array'))}]` },
    { name: 'too few fields', detail: JSON.stringify('wi1\nGET\n' + origin + M) },
    {
      name: 'HTML and script in flag names',
      detail: e(
        'GET',
        origin + M,
        200,
        '',
        JSON.stringify({ enterprise_features: { [XSS_KEY]: true, [SCRIPT_KEY]: false } }),
      ),
    },
    {
      name: 'HTML in the enterprise name',
      detail: e(
        'GET',
        origin + M,
        200,
        '',
        JSON.stringify({
          results: [
            {
              active: true,
              enterprise_customer: { uuid: 'u-1', slug: 'evil', name: XSS_NAME },
              user: { username: '<i>u</i>' },
            },
          ],
          enterprise_features: {},
        }),
      ),
    },
    {
      name: 'prototype-polluting keys',
      detail: `${JSON.stringify(envelope('GET', origin + M, 200, '', ''))} + '{"enterprise_features": {' + ${JSON.stringify(PROTO_KEYS)}.map((k) => JSON.stringify(k) + ': true').join(',') + '}, "__proto__": {"polluted": "yes"}}'`,
    },
    {
      name: '10k-deep nesting in the body',
      detail: `${JSON.stringify(envelope('GET', origin + M, 200, '', ''))} + '{"enterprise_features": {"deep_key": ' + '['.repeat(10000) + ']'.repeat(10000) + '}}'`,
    },
    {
      name: '10k-deep nesting as the body',
      detail: `${JSON.stringify(envelope('GET', origin + M, 200, '', ''))} + '['.repeat(10000) + ']'.repeat(10000)`,
    },
    {
      name: '10k keys in enterprise_features',
      detail: `${JSON.stringify(envelope('GET', origin + M, 200, '', ''))} + JSON.stringify({ enterprise_features: Object.fromEntries(Array.from({ length: 10000 }, (_, i) => ['k' + i, true])) })`,
    },
    {
      name: 'a 100k-character key',
      detail: `${JSON.stringify(envelope('GET', origin + M, 200, '', ''))} + JSON.stringify({ enterprise_features: { ['k'.repeat(100000)]: true, ev_long_ok: true } })`,
    },
  ];
}

for (const name of BROWSERS) {
  describe(`hostile input in ${name}`, () => {
    let server: Loopback;
    let session: Session;
    let page: Page;
    const tabRequests: string[] = [];
    const onRequest = (r: HTTPRequest) => void tabRequests.push(`${r.method()} ${r.url()}`);
    const popups: Page[] = [];

    beforeAll(async () => {
      [server, session] = await Promise.all([startLoopback(), launch(name, { extension: true })]);
      page = await session.newPage();
      page.on('request', onRequest);
    });

    afterEach(async () => {
      // A popup left open (a failed test) would keep the next one from opening.
      await Promise.all(popups.splice(0).map((p) => p.close().catch(() => undefined)));
    });

    afterAll(async () => {
      await session?.close();
      await server?.close();
    });

    /** A fresh portal-like page that counts errors thrown into it, with a marker a reload would lose. */
    async function freshPage(): Promise<void> {
      await page.goto(`${server.origin}/t?shape=hostile-${randomToken()}`, { waitUntil: 'load' });
      await page.evaluate(`(() => {
        window.__errors = [];
        window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
        window.addEventListener('unhandledrejection', (e) => window.__errors.push('rejection: ' + String(e.reason)));
        window.__marker = 'alive';
      })()`);
    }

    /** What the background keeps for the page's tab, read from an extension page. */
    interface Kept {
      keys: string[];
      bytes: number;
      polluted: boolean;
      rows: string[];
      diagnostics: string[];
    }
    async function tabState(extPage: Page): Promise<Kept> {
      return (await extPage.evaluate(`(async () => {
        const api = globalThis.browser ?? globalThis.chrome;
        const all = await api.storage.session.get(null);
        const keys = Object.keys(all);
        // Tab states are kept as JSON strings (src/core/storage-keys.ts).
        const tab = keys
          .filter((k) => k.startsWith('tab:'))
          .map((k) => JSON.parse(all[k]))
          .find((s) => s && s.origin === ${JSON.stringify(server.origin)});
        const load = tab && tab.loads[0];
        return {
          keys,
          bytes: JSON.stringify(all).length,
          polluted: ({}).polluted !== undefined || Object.prototype.hasOwnProperty('polluted'),
          rows: load ? load.snapshots.flatMap((s) => s.flags.map((f) => f.key)) : [],
          diagnostics: tab ? tab.diagnostics.map((d) => d.reason) : [],
        };
      })()`)) as Kept;
    }

    async function backgroundPolluted(): Promise<boolean | null> {
      if (name !== 'chromium' || !session.extensionOrigin) return null;
      const target = session.browser
        .targets()
        .find((t) => t.type() === 'service_worker' && t.url().startsWith(session.extensionOrigin!));
      const worker = await target?.worker();
      if (!worker) return null;
      return worker.evaluate(
        `({}).polluted !== undefined || Object.prototype.hasOwnProperty('polluted') || Array.prototype.polluted !== undefined`,
      ) as Promise<boolean>;
    }

    it('forged window.postMessage payloads: ignored, no backend request, no reload, no error', async () => {
      await freshPage();
      const payloads = postMessages(server.origin);
      const before = tabRequests.length;
      await page.evaluate(`(async () => {
        const list = [${payloads.map((p) => `() => (${p.payload})`).join(',\n')}];
        // The page's own postMessage may refuse some (too deep to clone): that is the page's error, caught here.
        window.__refused = [];
        for (const make of list) { try { window.postMessage(make(), '*'); } catch (e) { window.__refused.push(e.name); } }
        // A flood of a thousand more.
        for (let i = 0; i < 1000; i++) window.postMessage({ tag: '${TAG}', type: 'popup/reload', payload: { tabId: i } }, '*');
        await new Promise((r) => setTimeout(r, 0));
      })()`);
      // Round trip through the page, the content script and the background before looking.
      await page.evaluate(`window.__h.tasks(5)`);
      // Before the popup opens (it may call the backend itself, legitimately).
      expect(tabRequests.slice(before).filter((r) => BACKEND.test(r))).toEqual([]);
      const popup = await session.openPopup(page);
      try {
        const state = await tabState(popup);
        expect(state.rows.filter((k) => k.startsWith('pm_forged'))).toEqual([]);
        expect(state.polluted).toBe(false);
        expect(await page.evaluate('window.__marker')).toBe('alive');
        expect(await page.evaluate('window.__errors')).toEqual([]);
        expect(await popup.$$eval('[data-testid="flag-row"]', (els) => els.length)).toBe(0);
      } finally {
        await popup.close();
      }
      console.log(`hostile (${name}): ${payloads.length} forged postMessage payloads + a flood of 1000`);
    });

    it('forged capture events: malformed ones dropped with a reason, hostile strings shown as text', async () => {
      await freshPage();
      const events = forgedEvents(server.origin);
      // The JWT cookie the content script reads may carry markup too.
      const claims = Buffer.from(
        JSON.stringify({
          preferred_username: `<img src=x onerror="window.__pwned=4">qa`,
          email: '<svg onload=alert(1)>@x',
          roles: ['enterprise_admin:<b>x</b>'],
          exp: 4102444800,
        }),
      ).toString('base64url');
      const before = tabRequests.length;
      await page.evaluate(`(async () => {
        document.cookie = 'edx-jwt-cookie-header-payload=eyJhbGciOiJIUzI1NiJ9.${claims}; path=/';
        const details = [${events.map((e) => `() => (${e.detail})`).join(',\n')}];
        for (const make of details) document.dispatchEvent(new CustomEvent('${EVENT}', { detail: make() }));
        // Not a CustomEvent, and on window instead of document.
        document.dispatchEvent(new Event('${EVENT}'));
        window.dispatchEvent(new CustomEvent('${EVENT}', { detail: ${JSON.stringify(envelope('GET', server.origin + M, 200, '', JSON.stringify({ enterprise_features: { ev_on_window: true } })))} }));
      })()`);
      await page.evaluate(`window.__h.tasks(5)`);
      expect(tabRequests.slice(before).filter((r) => BACKEND.test(r))).toEqual([]);
      const popup = await session.openPopup(page);
      popups.push(popup);
      await popup.waitForSelector('[data-testid="flag-row"]', { timeout: 15_000 });
      await popup.waitForFunction(
        (n: number) => document.querySelectorAll('[data-testid="diagnostic"]').length >= n,
        { timeout: 15_000 },
        10,
      );

      const state = await tabState(popup);
      // Only well-formed envelopes became flags; every malformed one was dropped.
      for (const dropped of [
        'ev_wrong_version',
        'ev_newline',
        'ev_lower',
        'ev_markup_method',
        'ev_js_url',
        'ev_data_url',
        'ev_status',
        'ev_nan',
        'ev_object',
        'ev_array',
        'ev_on_window',
      ]) {
        expect(state.rows, dropped).not.toContain(dropped);
      }
      expect(state.rows).toEqual(expect.arrayContaining([XSS_KEY, SCRIPT_KEY, 'ev_long_ok', ...PROTO_KEYS]));
      expect(state.polluted).toBe(false);
      expect(await backgroundPolluted()).not.toBe(true);
      expect(state.bytes).toBeLessThan(2_000_000);
      const reasons = state.diagnostics.join('\n');
      for (const reason of [
        'unknown version',
        'over the cap',
        'invalid method',
        'non-HTTP URL',
        'invalid status',
        'without a text payload',
        'malformed capture event',
        'keys; more than',
        'a key of 100000 characters',
        '"deep_key" is an array',
      ]) {
        expect(reasons, reason).toContain(reason);
      }

      // Rendered as text: the literal strings are there, no element was made of them, nothing ran.
      const popupText = await popup.evaluate(() => document.body.textContent ?? '');
      expect(popupText).toContain(XSS_KEY);
      expect(popupText).toContain(SCRIPT_KEY);
      expect(popupText).toContain(XSS_NAME);
      expect(popupText).toContain('<img src=x onerror="window.__pwned=4">qa');
      expect(await popup.$('img[src="x"]')).toBeNull();
      expect(await popup.$('[onerror], [onload], iframe, object, embed')).toBeNull();
      expect(await popup.$$eval('script', (s) => s.filter((x) => !x.src).length)).toBe(0);
      expect(await popup.evaluate('window.__pwned')).toBeUndefined();
      expect(await popup.evaluate('({}).polluted')).toBeUndefined();
      for (const key of PROTO_KEYS) {
        expect(
          await popup.$$eval(
            '[data-testid="flag-row"]',
            (els, k) => els.some((e) => e.getAttribute('data-key') === k),
            key,
          ),
          key,
        ).toBe(true);
      }
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.evaluate('window.__errors')).toEqual([]);
      console.log(`hostile (${name}): ${events.length + 2} forged capture events (+ a hostile JWT cookie)`);
    });

    it('a flood of 10,000 capture events: capped per page load, the page is unaffected', async () => {
      await freshPage();
      const ok = envelope(
        'GET',
        server.origin + M,
        200,
        '',
        JSON.stringify({ enterprise_features: { flood_key: true } }),
      );
      await page.evaluate(`(() => {
        for (let i = 0; i < 10000; i++) document.dispatchEvent(new CustomEvent('${EVENT}', { detail: ${JSON.stringify(ok)} }));
      })()`);
      const popup = await session.openPopup(page);
      await popup.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid="diagnostic-reason"]')].some((d) =>
            /capture events on one page load/.test(d.textContent ?? ''),
          ),
        { timeout: 30_000 },
      );
      const state = await tabState(popup);
      expect(state.rows.length).toBeLessThanOrEqual(50);
      expect(state.bytes).toBeLessThan(1_000_000);
      expect(await page.evaluate('window.__errors')).toEqual([]);
      expect(await page.evaluate('window.__marker')).toBe('alive');
      await popup.close();
    });

    it('the page itself has no extension API to message the background', async () => {
      await freshPage();
      expect(
        await page.evaluate(
          `typeof chrome === 'undefined' || !chrome.runtime || typeof chrome.runtime.sendMessage !== 'function' ? 'none' : 'api'`,
        ),
      ).toBe('none');
      expect(await page.evaluate(`typeof browser === 'undefined' ? 'none' : 'api'`)).toBe('none');
    });

    it('a content script may not send the popup’s messages; an extension page may not send a content script’s', async () => {
      await freshPage();
      // Something captured, so that there is state a leak would show.
      await page.evaluate(`fetch(window.__h.M + '?s=sender').then((r) => r.text())`);
      const popup = await session.openPopup(page);
      await popup.waitForSelector('[data-testid="flag-row"]', { timeout: 15_000 });
      const tabId = await popup.evaluate(
        `(async () => (await chrome.tabs.query({})).find((t) => (t.url || '').startsWith(${JSON.stringify(server.origin + '/')}))?.id ?? -1)()`,
      );
      expect(tabId).toBeGreaterThanOrEqual(0);
      const before = tabRequests.length;
      // The same kind of request from the popup (an extension page) is answered: the refusals below are the sender check.
      const legit = (await popup.evaluate(
        `(globalThis.browser ?? globalThis.chrome).tabs.sendMessage(${Number(tabId)}, { tag: '${TAG}', type: 'backend/flags', payload: {} }, { frameId: 0 })`,
      )) as { ok?: boolean } | null;
      expect(typeof legit?.ok).toBe('boolean');
      // Puppeteer reaches a content script's isolated world in Chromium only (its Firefox BiDi
      // implementation has no extension realms): there, the content-script half is not run.
      if (name === 'chromium') {
        const realm = page
          .mainFrame()
          .extensionRealms()
          .find((r) => r.origin === session.extensionOrigin);
        expect(realm, 'the content script realm').toBeDefined();
        const answers = await realm!.evaluate(`(async () => {
        const ask = (type, payload) => chrome.runtime.sendMessage({ tag: '${TAG}', type, payload }).then((v) => v === undefined ? 'no answer' : v, (e) => 'error: ' + e.message);
        return {
          reload: await ask('popup/reload', { tabId: ${Number(tabId)} }),
          backend: await ask('backend/flags', {}),
          enroll: await ask('backend/enroll', { flag: 'enterprise.x', reason: 'hostile', durationSeconds: 60 }),
          unknown: await ask('popup/anything', { tabId: ${Number(tabId)} }),
        };
      })()`);
        for (const [k, v] of Object.entries(answers as Record<string, unknown>)) {
          expect(
            typeof v === 'string' && (v === 'no answer' || v.startsWith('error:')),
            `${k}: ${JSON.stringify(v)}`,
          ).toBe(true);
        }
      }
      // The background has handled those before this answer (messages are handled in order).
      const stateBefore = await tabState(popup);
      // An extension page sending a content script's messages is refused: the tab's state is unchanged.
      const forged = results(server.origin + M, 'from_extension_page');
      await popup.evaluate(`(async () => {
        const send = (type, payload) => chrome.runtime.sendMessage({ tag: '${TAG}', type, payload }).catch(() => null);
        await send('page/results', { json: ${JSON.stringify(forged)} });
        await send('page/start', { url: ${JSON.stringify(server.origin + '/')}, identity: { status: 'missing' }, at: Date.now() });
        await send('page/dropped', { url: ${JSON.stringify(server.origin + '/')}, reason: 'forged by an extension page', at: Date.now() });
      })()`);
      const stateAfter = await tabState(popup);
      expect(stateAfter.rows).toEqual(stateBefore.rows);
      expect(stateAfter.diagnostics).toEqual(stateBefore.diagnostics);
      expect(await page.evaluate('window.__marker'), 'the tab was not reloaded').toBe('alive');
      // The popup may read the backend's flags itself when it opens; nothing may write to it.
      expect(tabRequests.slice(before).filter((r) => BACKEND_WRITE.test(r))).toEqual([]);
      await popup.close();
    });

    it('hostile server responses: the portal gets them unchanged, the popup says what it could not read', async () => {
      await freshPage();
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      const cases: { r: Record<string, string>; reason: RegExp }[] = [
        { r: { r: 'badjson' }, reason: /not valid JSON/ },
        { r: { r: 'html', code: '200' }, reason: /HTML page, not JSON/ },
        { r: { r: 'html', code: '500' }, reason: /HTTP 500/ },
        { r: { r: 'big', mb: '3' }, reason: /over the 1000000 character capture cap/ },
        { r: { r: 'raw', b: b64('{"enterprise_features": "yes"}') }, reason: /"enterprise_features" is a string/ },
        {
          r: { r: 'raw', b: b64('{"enterprise_features": [true, false]}') },
          reason: /"enterprise_features" is an array/,
        },
        {
          r: {
            r: 'raw',
            b: b64('{"enterprise_features": {"wt_str": "true", "wt_num": 1, "wt_null": null, "wt_ok": true}}'),
          },
          reason: /"wt_str" is a string/,
        },
        {
          r: {
            r: 'raw',
            b: b64('{"enterprise_features": {"wt_str": "true", "wt_num": 1, "wt_null": null, "wt_ok": true}}'),
          },
          reason: /"wt_null" is null/,
        },
        { r: { r: 'raw', b: b64('{"count": 0, "results": []}') }, reason: /no "enterprise_features"/ },
        { r: { r: 'raw', b: b64('null') }, reason: /the body is null/ },
        { r: { r: 'raw', b: b64('') }, reason: /the body is empty/ },
        { r: { r: 'raw', b: b64('{"enterprise_features": {"a": true}}'), type: 'text/html' }, reason: /^$/ },
      ];
      const urls = cases.map((c) => `${M}?${new URLSearchParams({ s: 'server', ...c.r })}`);
      // The page reads each one as the portals do (XHR text, as axios), and a slow and a hanging one too.
      const received = (await page.evaluate(`(async () => {
        const get = (url) => new Promise((resolve) => { const x = new XMLHttpRequest(); x.open('GET', url); x.onloadend = () => resolve({ status: x.status, text: x.responseText }); x.send(); });
        const out = [];
        for (const url of ${JSON.stringify(urls)}) out.push(await get(url));
        const ctrl = new AbortController();
        const hanging = fetch(window.__h.M + '?s=server&r=hang', { signal: ctrl.signal }).catch((e) => e.name);
        const slow = await get(window.__h.M + '?s=server&r=slow&ms=1500');
        ctrl.abort();
        return { out, slow: slow.status, hanging: await hanging };
      })()`)) as { out: { status: number; text: string }[]; slow: number; hanging: string };
      for (const [i, c] of cases.entries()) {
        const direct = await fetch(`${server.other}${urls[i]}`);
        const text = await direct.text();
        expect(received.out[i]!.status, JSON.stringify(c.r)).toBe(direct.status);
        expect(received.out[i]!.text === text, `${JSON.stringify(c.r)}: the page got the body unchanged`).toBe(true);
      }
      expect(received.slow).toBe(200);
      expect(received.hanging).toBe('AbortError');

      const popup = await session.openPopup(page);
      popups.push(popup);
      await popup.waitForSelector('[data-testid="diagnostics"]', { timeout: 15_000 });
      await popup.waitForFunction(() => document.querySelectorAll('[data-testid="diagnostic"]').length >= 10, {
        timeout: 15_000,
      });
      const reasons = await popup.$$eval('[data-testid="diagnostic-reason"]', (els) =>
        els.map((e) => e.textContent ?? ''),
      );
      for (const c of cases.filter((x) => x.reason.source !== '^$')) {
        expect(
          reasons.some((r) => c.reason.test(r)),
          `${JSON.stringify(c.r)}: ${c.reason} in ${JSON.stringify(reasons)}`,
        ).toBe(true);
      }
      // What could be read still is: the good key of the wrong-types body, the slow response's flags.
      const keys = await popup.$$eval('[data-testid="flag-row"]', (els) => els.map((e) => e.getAttribute('data-key')));
      expect(keys).toEqual(expect.arrayContaining(['wt_ok', 'a', ...Object.keys(server.features)]));
      expect(await page.evaluate('window.__errors')).toEqual([]);
      await popup.close();
      console.log(`hostile (${name}): ${cases.length + 2} hostile server responses`);
    });
  });
}

// Content script (ISOLATED world), top frame of the portal pages, at document_start. Built as a
// standalone IIFE so that its listener is in place before the first response the interceptor reports.
//
// It is the border between the page and the extension: every capture event is untrusted input. In the
// event listener it makes only the cheap checks (a CustomEvent, a string detail, within the size cap),
// stamps the time itself, and caps how many events one page load may send. It reads the captures in
// batches, in tasks of their own (the first right after the page's, the ones that follow within BATCH_MS together):
// the envelope field by field, then the source's rule (core/results.ts), and sends the background what
// they gave — flags, enterprise, user, or why not — not the bodies. The background checks all of it
// again (`decodeResults`). While a DevTools panel watches the tab (the worker says so), each result also
// carries its body's size and its `enterprise_features` text, and none is left out as superseded, so
// that the panel lists every response; otherwise none of that work is done.
import { BATCH_MS, detailProblem, ENVELOPE_EVENT, MAX_BATCH_CHARS } from '../core/envelope';
import { encodeResults, MAX_RESULTS, readCaptures, withoutSuperseded } from '../core/results';
import { identityFromCookies } from '../core/identity';
import type { IdentityResult } from '../core/types';
import { detectContext, PRESETS } from '../core/environment';
import { allEnvironments } from '../core/settings';
import { sendToWorker } from '../platform/messaging';
import { loadCustomEnvironments } from '../platform/settings-store';
import { PageCalls } from './page-calls';
import { listenForPopupRequests } from './popup-listener';
import { listenForWorker } from './worker-listener';

/** Most capture events one page load may forward; a flood beyond this is reported once and ignored. */
const MAX_EVENTS_PER_LOAD = 300;

/** JWT cookie prefix of this page's environment: a preset's at once, a custom one's once storage answers. */
let cookiePrefix = detectContext(location.href, PRESETS).environment?.jwtCookiePrefix ?? '';

function readIdentity(): { key: string; identity: IdentityResult } {
  const cookies = document.cookie;
  return { key: cookies, identity: identityFromCookies(cookies, cookiePrefix, Math.floor(Date.now() / 1000)) };
}

function quiet(promise: Promise<unknown>): void {
  // The extension may be reloaded while the page lives on: the page must not notice.
  promise.catch(() => undefined);
}

(() => {
  // The user's own environments (options page) name the LMS and the JWT cookie prefix of their hosts.
  const environments = loadCustomEnvironments().then(allEnvironments, () => [...PRESETS]);
  /** When this document started (again when it comes back from the back/forward cache). */
  let startedAt = Date.now();
  /** Where the page's own calls go (its LMS, its BFF): the backend calls go to the same LMS. */
  const calls = new PageCalls(() => startedAt);
  listenForPopupRequests({ environments: () => environments, calls });
  let events = 0;
  let lastCookies = '';
  /** Whether a DevTools panel watches this tab: the worker says so at each start and when it changes. */
  let inspect = false;
  /**
   * Whether the worker has answered this document's `page/start` (or failed to): until then the first
   * batch waits, so that a panel open across a reload gets the detail of the document's first responses
   * too. It waits for a message's round trip; the page's own work is not held up.
   */
  let answered = false;
  listenForWorker((on) => {
    inspect = on;
  });

  /** This document's id: the background keeps what it reports with its load (a next one may have started). */
  let doc = '';
  function started(): void {
    startedAt = Date.now();
    doc = `${startedAt.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    events = 0;
    const start = readIdentity();
    lastCookies = start.key;
    answered = false;
    const answer = sendToWorker('page/start', { url: location.href, identity: start.identity, at: Date.now(), doc });
    quiet(
      answer
        .then((a) => {
          inspect = a?.inspect === true;
        })
        .finally(() => {
          answered = true;
          if (pending.length > 0) flush();
        }),
    );
  }
  started();
  quiet(
    environments.then((envs) => {
      const prefix = detectContext(location.href, envs).environment?.jwtCookiePrefix ?? '';
      if (prefix === cookiePrefix) return;
      cookiePrefix = prefix;
      const now = readIdentity();
      lastCookies = now.key;
      quiet(sendToWorker('page/identity', { identity: now.identity, doc }));
    }),
  );

  /** `[capturedAt, detail]` of the events not sent yet. */
  let pending: [number, string][] = [];
  let pendingChars = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Reads and sends what is pending, and keeps a window of BATCH_MS open for what follows. `force`: even
   * before the worker has answered `page/start` (the page is going away, or a batch is full).
   */
  function flush(force = false): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    if (!answered && !force) return; // sent when the answer comes
    // The cookies once per batch, to notice a sign-in; a read costs microseconds (docs/BENCHMARKS.md).
    const now = readIdentity();
    if (now.key !== lastCookies) {
      lastCookies = now.key;
      quiet(sendToWorker('page/identity', { identity: now.identity, doc }));
    }
    const captures = pending;
    pending = [];
    pendingChars = 0;
    timer = setTimeout(() => flush(), BATCH_MS);
    const read = readCaptures(captures, location.href);
    const results = inspect ? read : withoutSuperseded(read);
    for (const r of results) if (r.kind === 'snapshot') calls.note(r.snapshot);
    if (results.length > 0) quiet(sendToWorker('page/results', { json: encodeResults(results, inspect), doc }));
  }

  document.addEventListener(ENVELOPE_EVENT, (event: Event) => {
    try {
      events += 1;
      if (events > MAX_EVENTS_PER_LOAD) {
        if (events === MAX_EVENTS_PER_LOAD + 1) {
          flush(true);
          quiet(
            sendToWorker('page/dropped', {
              url: location.href,
              reason: `more than ${MAX_EVENTS_PER_LOAD} capture events on one page load: the rest were ignored`,
              at: Date.now(),
            }),
          );
        }
        return;
      }
      const detail: unknown = event instanceof CustomEvent ? event.detail : null;
      const problem = detailProblem(detail);
      if (problem !== null || typeof detail !== 'string') {
        flush(true); // what was captured before this event, first
        quiet(sendToWorker('page/dropped', { url: location.href, reason: problem ?? '', at: Date.now() }));
        return;
      }
      pending.push([Date.now(), detail]);
      pendingChars += detail.length;
      if (pending.length >= MAX_RESULTS || pendingChars >= MAX_BATCH_CHARS) flush(true);
      // No window open: read this one in a task of its own, right after the page's.
      else if (timer === null) timer = setTimeout(() => flush(), 0);
    } catch {
      // Nothing from here reaches the page.
    }
  });

  // Leaving the page: nothing captured may wait for a timer that will never fire.
  addEventListener('pagehide', () => flush(true));
  // Back from the back/forward cache: a load of its own, as a new document would be.
  addEventListener('pageshow', (event: PageTransitionEvent) => {
    if (event.persisted) started();
  });
})();

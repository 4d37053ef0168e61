// Backend calls asked for by the extension (the background, on behalf of the popup), made from this
// portal page's origin. Accepts only the extension's own messages, never a tab's, and only the
// operations `validOp` knows. The LMS is the one this page's own captured calls went to, or the
// environment's while the page has called none (core/page-services.ts); never one the message names.
import { validOp, type BackendError, type BackendResult } from '../core/backend';
import { detectContext } from '../core/environment';
import { identityFromCookies } from '../core/identity';
import { isEnvelope } from '../core/messages';
import { chooseService } from '../core/page-services';
import type { Environment } from '../core/types';
import { browser, type Runtime } from '../platform/browser';
import { BackendClient } from './backend-client';
import type { PageCalls } from './page-calls';
import { pageFetch } from './page-fetch';

function refused(kind: BackendError['kind'], detail: string, lms = ''): BackendResult<never> {
  return { ok: false, error: { kind, status: 0, detail, fields: {}, lms } };
}

export interface PageFacts {
  environments(): Promise<readonly Environment[]> | readonly Environment[];
  /** This document's captured calls, for the LMS the page uses. */
  calls: PageCalls;
}

/** Whether the page's own JWT header.payload cookie is there and has expired. */
function jwtCookieExpired(prefix: string): boolean {
  return identityFromCookies(document.cookie, prefix, Math.floor(Date.now() / 1000)).status === 'expired';
}

export function listenForBackendCalls(page: PageFacts): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    if (!isEnvelope(message) || message.type !== 'content/backend') return undefined;
    // From the extension itself (background or its pages), not from a content script in some tab.
    if (sender.id !== browser.runtime.id || sender.tab !== undefined) return undefined;
    const op = validOp(message.payload);
    if (!op)
      return Promise.resolve(refused('bad-response', 'the extension sent an operation this page does not accept'));
    return Promise.all([page.environments(), page.calls.lmsKnown()]).then(([envs]) => {
      const { environment } = detectContext(location.href, envs);
      if (!environment) return refused('no-portal', '');
      const lms = chooseService('lms', environment, page.calls.list());
      if (!lms) return refused('no-portal', '');
      const prefix = environment.jwtCookiePrefix;
      return new BackendClient(lms.origin, pageFetch, () => jwtCookieExpired(prefix)).call(op);
    });
  });
}

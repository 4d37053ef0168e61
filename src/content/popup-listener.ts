// Takes the popup's requests to the enrollment API (`PopupToContent`, routed by `backend-routes.ts`) and
// makes them from this portal page's origin. Accepts only the extension's own pages, never a tab's content
// script. The LMS is the one this page's own captured calls went to, or the environment's while the page
// has called none (core/page-services.ts); never one the message names.
import { detectContext } from '../core/environment';
import { identityFromCookies } from '../core/identity';
import { route } from '../core/messages';
import { chooseService } from '../core/page-services';
import type { Environment } from '../core/types';
import { browser, type Runtime } from '../platform/browser';
import { fromExtensionPage } from '../platform/senders';
import { BackendClient } from './backend-client';
import { backendRoutes, type ClientForPage } from './backend-routes';
import type { PageCalls } from './page-calls';
import { pageFetch } from './page-fetch';

export interface PageFacts {
  environments(): Promise<readonly Environment[]> | readonly Environment[];
  /** This document's captured calls, for the LMS the page uses. */
  calls: PageCalls;
}

/** Whether the page's own JWT header.payload cookie is there and has expired. */
function jwtCookieExpired(prefix: string): boolean {
  return identityFromCookies(document.cookie, prefix, Math.floor(Date.now() / 1000)).status === 'expired';
}

export function listenForPopupRequests(page: PageFacts): void {
  const clientForPage: ClientForPage = async () => {
    const [environments] = await Promise.all([page.environments(), page.calls.lmsKnown()]);
    const { environment } = detectContext(location.href, environments);
    if (!environment) return null;
    const lms = chooseService('lms', environment, page.calls.list());
    if (!lms) return null;
    const prefix = environment.jwtCookiePrefix;
    return new BackendClient(lms.origin, pageFetch, () => jwtCookieExpired(prefix));
  };
  browser.runtime.onMessage.addListener((value: unknown, sender: Runtime.MessageSender) =>
    fromExtensionPage(sender) ? route(value, backendRoutes, clientForPage) : undefined,
  );
}

// Backend calls asked for by the extension (the background, on behalf of the popup), made from this
// portal page's origin. Accepts only the extension's own messages, never a tab's, and only the
// operations `validOp` knows; the LMS is the one of this page's environment.
import { validOp, type BackendError, type BackendResult } from '../core/backend';
import { detectContext } from '../core/environment';
import { isEnvelope } from '../core/messages';
import type { Environment } from '../core/types';
import { browser, type Runtime } from '../platform/browser';
import { BackendClient } from './backend-client';
import { pageFetch } from './page-fetch';

function refused(kind: BackendError['kind'], detail: string, lms = ''): BackendResult<never> {
  return { ok: false, error: { kind, status: 0, detail, fields: {}, lms } };
}

export function listenForBackendCalls(
  environments: () => Promise<readonly Environment[]> | readonly Environment[],
): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    if (!isEnvelope(message) || message.type !== 'content/backend') return undefined;
    // From the extension itself (background or its pages), not from a content script in some tab.
    if (sender.id !== browser.runtime.id || sender.tab !== undefined) return undefined;
    const op = validOp(message.payload);
    if (!op)
      return Promise.resolve(refused('bad-response', 'the extension sent an operation this page does not accept'));
    return Promise.resolve(environments()).then((envs) => {
      const { environment } = detectContext(location.href, envs);
      if (!environment) return refused('no-portal', '');
      return new BackendClient(environment.lms, pageFetch).call(op);
    });
  });
}

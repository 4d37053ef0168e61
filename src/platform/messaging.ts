// Sending the extension's typed messages (core/messages.ts). Receivers route them with `route`, after
// checking who sent them, failing closed.
import type { BackendAnswer } from '../core/backend-error';
import {
  message,
  type BackendRequests,
  type BackendRequestType,
  type ContentToWorker,
  type PopupToContent,
  type PopupToWorker,
  type WorkerToContent,
} from '../core/messages';
import { browser } from './browser';

/** A content script's message to the worker, and its answer (undefined when the worker gave none). */
export async function sendToWorker<K extends keyof ContentToWorker & string>(
  type: K,
  payload: ContentToWorker[K]['req'],
): Promise<ContentToWorker[K]['res'] | undefined> {
  const answer: unknown = await browser.runtime.sendMessage(message<ContentToWorker, K>(type, payload));
  return answer === undefined ? undefined : (answer as ContentToWorker[K]['res']);
}

/** The worker's message to the content script in a tab's top frame; a tab without one is no error. */
export async function tellTab<K extends keyof WorkerToContent & string>(
  tabId: number,
  type: K,
  payload: WorkerToContent[K]['req'],
): Promise<void> {
  await browser.tabs
    .sendMessage(tabId, message<WorkerToContent, K>(type, payload), { frameId: 0 })
    .catch(() => undefined);
}

/** The popup's message to the worker. */
export async function askWorker<K extends keyof PopupToWorker & string>(
  type: K,
  payload: PopupToWorker[K]['req'],
): Promise<void> {
  await browser.runtime.sendMessage(message<PopupToWorker, K>(type, payload));
}

/**
 * The popup's request to the content script in a tab's top frame. Rejects when there is none (not a
 * portal page, or one loaded before the extension); undefined when it did not take the request.
 */
export async function askTab<K extends BackendRequestType>(
  tabId: number,
  type: K,
  payload: BackendRequests[K]['req'],
): Promise<BackendAnswer<BackendRequests[K]['data']> | undefined> {
  const answer: unknown = await browser.tabs.sendMessage(tabId, message<PopupToContent, K>(type, payload), {
    frameId: 0,
  });
  return answer === undefined ? undefined : (answer as BackendAnswer<BackendRequests[K]['data']>);
}

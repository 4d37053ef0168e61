// Takes the worker's messages to this content script (`WorkerToContent`): whether a DevTools panel
// watches the tab. Only from the extension itself (its worker), never from a page or another content script.
import { route, type Routes, type WorkerToContent } from '../core/messages';
import { browser, type Runtime } from '../platform/browser';
import { fromExtensionPage } from '../platform/senders';

export function listenForWorker(inspect: (on: boolean) => void): void {
  const routes: Routes<WorkerToContent, null> = {
    'devtools/inspect': {
      check: ({ on }) => (typeof on === 'boolean' ? { on } : null),
      handle: async ({ on }) => {
        inspect(on);
        return null;
      },
    },
  };
  browser.runtime.onMessage.addListener((value: unknown, sender: Runtime.MessageSender) =>
    fromExtensionPage(sender) ? route(value, routes, null) : undefined,
  );
}

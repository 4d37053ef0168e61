// What the worker does for a DevTools panel (`PanelToWorker`, over the port the panel opens): send the
// watched tab's log, then each entry as it comes, and tell the tab's content script whether a panel
// watches it (it sends each response's size and `enterprise_features` text only then).
import { message, type MessageOf, type PanelToWorker, type Routes, type WorkerToPanel } from '../core/messages';
import type { ResponseLog } from './response-log';

const isTabId = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** One panel's port, as the routes see it: where to post, and what it watches. */
export class PanelConnection {
  private stop: (() => void) | null = null;

  constructor(private readonly post: (message: MessageOf<WorkerToPanel>) => void) {}

  send(value: MessageOf<WorkerToPanel>): void {
    try {
      this.post(value);
    } catch {
      // The port closed meanwhile: its disconnect ends the watch.
    }
  }

  /** Watches one tab at a time: a new watch ends the one before. */
  watching(stop: () => void): void {
    this.close();
    this.stop = stop;
  }

  /** The port closed. */
  close(): void {
    const stop = this.stop;
    this.stop = null;
    stop?.();
  }
}

export interface PanelRouteDeps {
  log: ResponseLog;
  /** Tells the tab's content script whether a panel watches it. */
  inspect(tabId: number, on: boolean): void;
}

export function panelRoutes({ log, inspect }: PanelRouteDeps): Routes<PanelToWorker, PanelConnection> {
  return {
    'devtools/watch': {
      check: ({ tabId }) => (isTabId(tabId) ? { tabId } : null),
      handle: async ({ tabId }, panel) => {
        panel.close(); // a port watches one tab: a new watch ends the one before
        const first = !log.watched(tabId);
        const unwatch = log.watch(tabId, (entry) =>
          panel.send(message<WorkerToPanel, 'devtools/entry'>('devtools/entry', { tabId, entry })),
        );
        panel.watching(() => {
          unwatch();
          if (!log.watched(tabId)) inspect(tabId, false);
        });
        panel.send(message<WorkerToPanel, 'devtools/log'>('devtools/log', { tabId, entries: log.entries(tabId) }));
        if (first) inspect(tabId, true);
        return null;
      },
    },
  };
}

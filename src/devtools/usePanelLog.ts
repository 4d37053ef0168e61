// The panel's side of its port to the worker: says which tab it inspects (`devtools/watch`), takes the
// tab's log and then each new entry (`WorkerToPanel`), and keeps its own copy, so that what it shows
// survives the page reloading and the worker being stopped (it connects again; the worker's log then
// starts afresh, and entries are merged by id).
import { useEffect, useState } from 'preact/hooks';
import { addEntry, isLogEntry, mergeEntries, type LogEntry } from '../core/devtools-log';
import { DEVTOOLS_PORT, message, route, type PanelToWorker, type Routes, type WorkerToPanel } from '../core/messages';
import { browser, type Runtime } from '../platform/browser';
import type { PanelStatus } from './Panel';

export interface PanelLog {
  status: PanelStatus;
  entries: LogEntry[];
}

/** Most times the panel connects again after the worker closed its port without having answered. */
const MAX_SILENT_RECONNECTS = 3;

export function usePanelLog(tabId: number | null): PanelLog {
  const [log, setLog] = useState<PanelLog>({ status: tabId === null ? 'no-tab' : 'connecting', entries: [] });
  useEffect(() => {
    if (tabId === null) return;
    let port: Runtime.Port | null = null;
    let closed = false;
    let silent = 0;
    const routes: Routes<WorkerToPanel, null> = {
      'devtools/log': {
        check: ({ tabId: id, entries }) =>
          id === tabId && Array.isArray(entries) && entries.every(isLogEntry) ? { tabId, entries } : null,
        handle: async ({ entries }) => {
          silent = 0;
          setLog((l) => ({ status: 'live', entries: mergeEntries(l.entries, entries) }));
          return null;
        },
      },
      'devtools/entry': {
        check: ({ tabId: id, entry }) => (id === tabId && isLogEntry(entry) ? { tabId, entry } : null),
        handle: async ({ entry }) => {
          setLog((l) => ({ status: 'live', entries: addEntry(l.entries, entry) }));
          return null;
        },
      },
    };
    const connect = (): void => {
      const p = browser.runtime.connect({ name: DEVTOOLS_PORT });
      port = p;
      p.onMessage.addListener((value: unknown) => void route(value, routes, null));
      // The worker stopped (or restarted): connect again, which starts it, unless it keeps refusing.
      p.onDisconnect.addListener(() => {
        if (closed) return;
        silent += 1;
        if (silent > MAX_SILENT_RECONNECTS) {
          setLog((l) => ({ ...l, status: 'disconnected' }));
          return;
        }
        setLog((l) => ({ ...l, status: 'connecting' }));
        connect();
      });
      p.postMessage(message<PanelToWorker, 'devtools/watch'>('devtools/watch', { tabId }));
    };
    connect();
    return () => {
      closed = true;
      port?.disconnect();
    };
  }, [tabId]);
  return log;
}

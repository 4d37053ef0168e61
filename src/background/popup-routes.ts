// What the worker does for the popup (`PopupToWorker`): reload the tab it shows.
import type { PopupToWorker, Routes } from '../core/messages';

export interface PopupRouteDeps {
  reloadTab(tabId: number): Promise<void>;
}

const isTabId = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

export function popupRoutes({ reloadTab }: PopupRouteDeps): Routes<PopupToWorker, null> {
  return {
    'popup/reload': {
      check: ({ tabId }) => (isTabId(tabId) ? { tabId } : null),
      handle: async ({ tabId }) => {
        await reloadTab(tabId);
        return null;
      },
    },
  };
}

// What the popup's buttons do outside the popup: reload the tab through the background, copy to the clipboard.
import { askWorker } from '../platform/messaging';
import type { PopupActions } from './model';

export interface Clipboard {
  writeText(text: string): Promise<void>;
}

export function popupActions(
  tabId: number | null,
  clipboard: Clipboard | null = typeof navigator === 'undefined' ? null : (navigator.clipboard ?? null),
): PopupActions {
  return {
    async reload() {
      if (tabId === null) throw new Error('there is no tab to reload.');
      await askWorker('popup/reload', { tabId });
    },
    async copyReport(markdown) {
      if (!clipboard) throw new Error('this browser gives the popup no clipboard.');
      try {
        await clipboard.writeText(markdown);
      } catch (e) {
        const why = e instanceof Error && e.message ? ` (${e.message})` : '';
        throw new Error(`the browser refused to write to the clipboard${why}. Click into the popup and try again.`);
      }
    },
  };
}

// The popup's first statement: main.tsx imports this module before any other of its own. The bench
// measures the popup's first screen from this mark too (bench/popup.ts), apart from what comes before
// any popup code can run (the browser committing the navigation, fetching the page and its script).
export const POPUP_START_MARK = 'waffle:popup-start';

performance.mark(POPUP_START_MARK);

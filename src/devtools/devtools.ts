// The extension's DevTools page (`devtools_page`): the browser loads it, hidden, each time DevTools opens
// on a tab, and it adds the "Waffle" panel. It does nothing else: the panel opens its own port to the
// worker when it is first shown, so DevTools open on another panel costs nothing more.
import { browser } from '../platform/browser';

// Absent when this page is opened as a plain extension page: then there is no DevTools to add to.
const panels = browser.devtools?.panels;
if (panels) void panels.create('Waffle', '/icons/icon-32.png', '/src/devtools/panel.html');

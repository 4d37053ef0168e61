// The one module that touches the WebExtension API: everything else imports `browser` from here, so
// tests can replace this module and the rest of the code never sees `chrome.*` directly.
import browser from 'webextension-polyfill';

export { browser };
export type { Runtime, Tabs, Storage } from 'webextension-polyfill';

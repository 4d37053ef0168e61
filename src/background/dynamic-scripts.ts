// Wires registration.ts to the browser: re-derives the custom environments' content scripts at
// install/update and start-up, when the saved environments change, and when a host permission is
// granted or revoked (the user may revoke one in the browser's own UI at any time).
import { ENVIRONMENTS_KEY } from '../core/settings';
import { browser } from '../platform/browser';
import { serialized, syncRegistrations, type RegistrationApi } from './registration';

const api: RegistrationApi = {
  getManifest: () => browser.runtime.getManifest() as ReturnType<RegistrationApi['getManifest']>,
  extensionRoot: () => browser.runtime.getURL('/'),
  containsOrigins: (origins) => browser.permissions.contains({ origins }),
  getRegistered: () => browser.scripting.getRegisteredContentScripts(),
  register: (scripts) => browser.scripting.registerContentScripts(scripts),
  unregister: (ids) => browser.scripting.unregisterContentScripts({ ids }),
  readSettings: async () => (await browser.storage.sync.get(ENVIRONMENTS_KEY))[ENVIRONMENTS_KEY],
};

export function keepCustomScriptsRegistered(): void {
  const sync = serialized(
    () => syncRegistrations(api),
    (e) => console.warn('Waffle Inspector: could not register the custom environments’ scripts', e),
  );
  // Listeners first, synchronously: an MV3 worker woken by one of these events must find them.
  browser.runtime.onInstalled.addListener(() => void sync());
  browser.runtime.onStartup.addListener(() => void sync());
  browser.permissions.onAdded.addListener(() => void sync());
  browser.permissions.onRemoved.addListener(() => void sync());
  // `storage.sync.onChanged`, not `storage.onChanged`: a worker listening to every area is sent the old
  // and new value of each `storage.session` write, i.e. the whole tab state on every capture batch
  // (about a third of the extension's CPU time on a busy page; docs/BENCHMARKS.md).
  browser.storage.sync.onChanged.addListener((changes) => {
    if (Object.prototype.hasOwnProperty.call(changes, ENVIRONMENTS_KEY)) void sync();
  });
}

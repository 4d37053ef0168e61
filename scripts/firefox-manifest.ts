// The Firefox manifest, derived from the built Chromium one: same files, same permissions, and only
// what Firefox needs differently. Pure, so that it is unit-tested (test/unit/firefox-manifest.test.ts)
// and used by the build (vite.config.ts writes dist-firefox/ with it).

/** The add-on id: fixed, so that storage and granted permissions survive updates and AMO can sign it. */
export const GECKO_ID = 'waffle-inspector@openedx.org';

/**
 * 128 is the first Firefox with `world: "MAIN"` content scripts, which the interceptor needs to run
 * before the page's own scripts; 140 (the ESR before 153) also knows `data_collection_permissions`.
 */
export const FIREFOX_MIN_VERSION = '140.0';
/** Firefox for Android learnt `data_collection_permissions` in 142. */
export const FIREFOX_ANDROID_MIN_VERSION = '142.0';

type Json = Record<string, unknown>;

export function firefoxManifest(chromium: Json): Json {
  const background = chromium['background'] as { service_worker?: unknown; type?: unknown } | undefined;
  if (!background || typeof background.service_worker !== 'string') {
    throw new Error('the Chromium manifest has no background.service_worker to derive the Firefox background from');
  }
  // Firefox runs MV3 backgrounds as event pages, not service workers: the same module, as a script.
  const out: Json = { ...chromium, background: { scripts: [background.service_worker], type: 'module' } };
  delete out['minimum_chrome_version'];
  out['browser_specific_settings'] = {
    gecko: {
      id: GECKO_ID,
      strict_min_version: FIREFOX_MIN_VERSION,
      // Nothing leaves the browser for the developer: flags are read locally, enrollment talks to the
      // operator's own LMS with the user's own session.
      data_collection_permissions: { required: ['none'] },
    },
    gecko_android: { strict_min_version: FIREFOX_ANDROID_MIN_VERSION },
  };
  return out;
}

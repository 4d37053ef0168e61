import { describe, expect, it } from 'vitest';
import manifest from '../../manifest.json' with { type: 'json' };
import { FIREFOX_MIN_VERSION, firefoxManifest, GECKO_ID } from '../../scripts/firefox-manifest';

const built = { ...manifest, background: { service_worker: 'service-worker-loader.js', type: 'module' } };

describe('firefoxManifest', () => {
  it('runs the same background module as an event page script', () => {
    const ff = firefoxManifest(built);
    expect(ff['background']).toEqual({ scripts: ['service-worker-loader.js'], type: 'module' });
  });

  it('names the add-on and the first Firefox with MAIN-world content scripts, and drops Chromium-only keys', () => {
    const ff = firefoxManifest(built);
    const gecko = (ff['browser_specific_settings'] as { gecko: Record<string, unknown> }).gecko;
    expect(gecko['id']).toBe(GECKO_ID);
    expect(gecko['strict_min_version']).toBe(FIREFOX_MIN_VERSION);
    expect(Number.parseFloat(FIREFOX_MIN_VERSION)).toBeGreaterThanOrEqual(128);
    expect(gecko['data_collection_permissions']).toEqual({ required: ['none'] });
    expect(ff).not.toHaveProperty('minimum_chrome_version');
  });

  it('keeps everything else as it is, and does not change its input', () => {
    const input = structuredClone(built);
    const ff = firefoxManifest(input);
    expect(input).toEqual(built);
    for (const key of [
      'permissions',
      'host_permissions',
      'content_scripts',
      'content_security_policy',
      'action',
      'version',
    ]) {
      expect(ff[key]).toEqual((built as Record<string, unknown>)[key]);
    }
  });

  it('refuses a manifest without a service worker', () => {
    expect(() => firefoxManifest({ ...manifest, background: { scripts: ['x.js'] } })).toThrow(/service_worker/);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { storedValue, validateEnvironment, type EnvironmentInput } from '../core/settings';
import type { Environment } from '../core/types';
import {
  desiredScripts,
  rootRelative,
  scriptFiles,
  serialized,
  syncRegistrations,
  type RegistrationApi,
  type ScriptSpec,
} from './registration';

const ROOT = 'moz-extension://0000/';
const MANIFEST = {
  content_scripts: [
    { js: [`${ROOT}src/page/interceptor.iife.js`], world: 'MAIN' },
    { js: ['src/content/index.iife.js'], world: 'ISOLATED' },
  ],
};

function env(label: string, learner: string, custom: Environment[] = []): Environment {
  const input: EnvironmentInput = {
    label,
    learnerPortals: learner,
    adminPortals: '',
    lms: 'https://lms.example.org',
    jwtCookiePrefix: '',
  };
  const r = validateEnvironment(input, custom);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.environment;
}

/** A browser in memory: granted patterns, registered scripts, stored settings. */
function fakeBrowser(settings: unknown, granted: string[]) {
  const registered = new Map<string, ScriptSpec>();
  const calls: string[] = [];
  const api: RegistrationApi = {
    getManifest: () => MANIFEST,
    extensionRoot: () => ROOT,
    containsOrigins: async (origins) => origins.every((o) => granted.includes(o)),
    getRegistered: async () => [...registered.values()],
    register: async (scripts) => {
      for (const s of scripts) {
        if (registered.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
        registered.set(s.id, s);
      }
      calls.push(`register ${scripts.map((s) => s.id).join(' ')}`);
    },
    unregister: async (ids) => {
      ids.forEach((id) => registered.delete(id));
      calls.push(`unregister ${ids.join(' ')}`);
    },
    readSettings: async () => settings,
  };
  return { api, registered, calls, setSettings: (s: unknown) => (settings = s), granted };
}

describe('scriptFiles', () => {
  it('reads both static scripts from the manifest, relative to the root however spelt', () => {
    expect(scriptFiles(MANIFEST, ROOT)).toEqual({
      main: ['src/page/interceptor.iife.js'],
      isolated: ['src/content/index.iife.js'],
    });
    expect(rootRelative('chrome-extension://abc/x.js', 'chrome-extension://abc/')).toBe('x.js');
    expect(() => scriptFiles({ content_scripts: [] }, ROOT)).toThrow(/static content scripts/);
  });
});

describe('desiredScripts', () => {
  it('gives each environment the interceptor (MAIN) and content script at document_start, only on granted hosts', () => {
    const a = env('A', 'https://a.example.org\nhttp://localhost:9000');
    const specs = desiredScripts([a], new Set(['https://a.example.org/*']), scriptFiles(MANIFEST, ROOT));
    expect(specs).toEqual([
      {
        id: `wi-env:main:${a.id}`,
        matches: ['https://a.example.org/*'],
        js: ['src/page/interceptor.iife.js'],
        world: 'MAIN',
        runAt: 'document_start',
        persistAcrossSessions: true,
        allFrames: false,
      },
      {
        id: `wi-env:isolated:${a.id}`,
        matches: ['https://a.example.org/*'],
        js: ['src/content/index.iife.js'],
        runAt: 'document_start',
        persistAcrossSessions: true,
        allFrames: false,
      },
    ]);
    expect(desiredScripts([a], new Set(), scriptFiles(MANIFEST, ROOT))).toEqual([]);
    // A host the manifest covers needs nothing registered (the static scripts would run twice).
    expect(
      desiredScripts([env('L', 'http://localhost:9000')], new Set(['http://localhost/*']), scriptFiles(MANIFEST, ROOT)),
    ).toEqual([]);
  });
});

describe('syncRegistrations', () => {
  it('registers granted environments, keeps what is right, and removes what is deleted or revoked', async () => {
    const a = env('A', 'https://a.example.org');
    const b = env('B', 'https://b.example.org', [a]);
    const f = fakeBrowser(storedValue([a, b]), ['https://a.example.org/*']);
    expect(await syncRegistrations(f.api)).toEqual([`wi-env:main:${a.id}`, `wi-env:isolated:${a.id}`]);
    expect([...f.registered.keys()]).toEqual([`wi-env:main:${a.id}`, `wi-env:isolated:${a.id}`]);

    // Nothing changed: nothing is touched (no gap in which a page would load without the interceptor).
    f.calls.length = 0;
    await syncRegistrations(f.api);
    expect(f.calls).toEqual([]);

    // B's host granted: only B's scripts are added.
    f.granted.push('https://b.example.org/*');
    await syncRegistrations(f.api);
    expect(f.calls).toEqual([`register wi-env:main:${b.id} wi-env:isolated:${b.id}`]);

    // A deleted, B revoked: everything goes.
    f.setSettings(storedValue([b]));
    f.granted.splice(0);
    await syncRegistrations(f.api);
    expect([...f.registered.keys()]).toEqual([]);
  });

  it('re-registers an environment whose hosts changed, and leaves other extensions-owned ids alone', async () => {
    const a = env('A', 'https://a.example.org');
    const f = fakeBrowser(storedValue([a]), ['https://a.example.org/*', 'https://a2.example.org/*']);
    f.registered.set('someone-else', {
      id: 'someone-else',
      matches: ['https://x/*'],
      js: ['x.js'],
      runAt: 'document_start',
      persistAcrossSessions: true,
      allFrames: false,
    });
    await syncRegistrations(f.api);
    f.setSettings(storedValue([{ ...a, learnerPortals: ['https://a2.example.org'] }]));
    await syncRegistrations(f.api);
    expect(f.registered.get(`wi-env:main:${a.id}`)?.matches).toEqual(['https://a2.example.org/*']);
    expect(f.registered.has('someone-else')).toBe(true);
  });

  it('ignores malformed settings: nothing registered', async () => {
    const f = fakeBrowser({ custom: [{ id: 'custom-x', learnerPortals: ['http://evil.example'] }] }, [
      'http://evil.example/*',
    ]);
    expect(await syncRegistrations(f.api)).toEqual([]);
  });
});

describe('serialized', () => {
  it('runs one sync at a time and reports failures without stopping later ones', async () => {
    let running = 0;
    let max = 0;
    const errors: unknown[] = [];
    let n = 0;
    const run = vi.fn(async () => {
      running++;
      max = Math.max(max, running);
      for (let i = 0; i < 5; i++) await Promise.resolve(); // let the other calls try to start
      running--;
      if (++n === 2) throw new Error('boom');
    });
    const sync = serialized(run, (e) => errors.push(e));
    await Promise.all([sync(), sync(), sync()]);
    expect(run).toHaveBeenCalledTimes(3);
    expect(max).toBe(1);
    expect(errors).toHaveLength(1);
  });
});

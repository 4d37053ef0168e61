// The built manifests and the store packages, audited after `vite build` (this is in the e2e
// project because it needs the build; scripts/test.mjs builds before it). Fails if nothing is built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATIC_HOST_PATTERNS } from '../../src/core/settings';
import { GECKO_ID } from '../../scripts/firefox-manifest';
import { packageNames, webExtLint } from '../../scripts/package.mjs';
import { REPO_ROOT } from '../fixtures';
import { builtExtension, DIST, DIST_FIREFOX } from './harness';

/** Every file under `dir`, as [path with forward slashes, absolute path], sorted by path. */
function listFiles(dir: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push([relative(dir, full).split(sep).join('/'), full]);
    }
  };
  walk(dir);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

type Manifest = Record<string, unknown> & {
  permissions: string[];
  host_permissions: string[];
  optional_host_permissions: string[];
  optional_permissions?: string[];
  content_scripts: { matches: string[]; js: string[]; run_at: string; world?: string; all_frames?: boolean }[];
};

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const CSP = "script-src 'self'; object-src 'none'; base-uri 'none'";
const BUILDS = [
  { browser: 'chromium', dir: DIST },
  { browser: 'firefox', dir: DIST_FIREFOX },
] as const;
const read = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(builtExtension(dir), 'manifest.json'), 'utf8')) as Manifest;

/** Every path inside the extension that a manifest names. */
function referencedFiles(m: Manifest): string[] {
  const bg = m['background'] as { service_worker?: string; scripts?: string[] };
  const action = m['action'] as { default_popup: string; default_icon: Record<string, string> };
  return [
    ...Object.values(m['icons'] as Record<string, string>),
    ...Object.values(action.default_icon),
    action.default_popup,
    (m['options_ui'] as { page: string }).page,
    m['devtools_page'] as string,
    ...(bg.service_worker ? [bg.service_worker] : []),
    ...(bg.scripts ?? []),
    ...m.content_scripts.flatMap((c) => c.js),
  ];
}

describe.each(BUILDS)('the $browser manifest', ({ browser, dir }) => {
  const m = read(dir);

  it('asks for exactly what the extension uses', () => {
    expect(m['manifest_version']).toBe(3);
    expect(m['version']).toBe(VERSION);
    expect([...m.permissions].sort()).toEqual(['scripting', 'storage']);
    expect([...m.host_permissions].sort()).toEqual([...STATIC_HOST_PATTERNS]);
    // Custom hosts are asked for one by one at run time, never granted at install.
    expect(m.optional_host_permissions).toEqual(['https://*/*', 'http://*.localhost/*']);
    // Testing mode asks for cookies when the user first forces a flag, never at install.
    expect(m.optional_permissions).toEqual(['cookies']);
    const { optional_permissions: _optional, ...required } = m;
    expect(JSON.stringify(required)).not.toMatch(
      /<all_urls>|\*:\/\/\*\/|"file:|"tabs"|"cookies"|"webRequest|"debugger"/,
    );
  });

  it('host permissions are the presets portals only (and loopback for the devstack)', () => {
    const presets = ['enterprise.edx.org', 'portal.edx.org', 'enterprise.stage.edx.org', 'portal.stage.edx.org'];
    expect(
      m.host_permissions
        .filter((p) => p.startsWith('https://'))
        .map((p) => p.slice(8, -2))
        .sort(),
    ).toEqual(presets.sort());
    expect(m.host_permissions.filter((p) => p.startsWith('http://')).sort()).toEqual([
      'http://127.0.0.1/*',
      'http://localhost/*',
    ]);
  });

  it('injects the interceptor in the MAIN world and the content script, top frame only, at document_start', () => {
    expect(m.content_scripts).toHaveLength(2);
    for (const cs of m.content_scripts) {
      expect([...cs.matches].sort()).toEqual([...STATIC_HOST_PATTERNS]);
      expect(cs.run_at).toBe('document_start');
      expect(cs.all_frames ?? false).toBe(false);
      expect(cs.js).toHaveLength(1);
    }
    expect(m.content_scripts.filter((c) => c.world === 'MAIN').map((c) => c.js[0])).toEqual([
      'src/page/interceptor.iife.js',
    ]);
  });

  it('exposes nothing to web pages, and keeps a strict CSP', () => {
    // The content scripts are self-contained IIFEs: no page needs to load any extension file.
    expect(m).not.toHaveProperty('web_accessible_resources');
    expect(m).not.toHaveProperty('externally_connectable');
    expect(m['content_security_policy']).toEqual({ extension_pages: CSP });
  });

  it('names files that exist, and carries no dev-server leftovers', () => {
    for (const file of referencedFiles(m)) expect(existsSync(join(dir, file)), file).toBe(true);
    for (const [name, full] of listFiles(dir)) {
      if (!/\.(js|html|json|css)$/.test(name)) continue;
      const text = readFileSync(full, 'utf8');
      expect(text, name).not.toMatch(
        /localhost:517\d|@vite\/client|vite\/dist\/client|__vite_ping|\/@crx\/|sourceMappingURL/,
      );
    }
    expect(readFileSync(join(dir, 'service-worker-loader.js'), 'utf8')).toMatch(/^import '\.\/assets\/[^']+\.js';\s*$/);
  });

  it('has the DevTools page, which adds the Waffle panel', () => {
    expect(m['devtools_page']).toBe('src/devtools/devtools.html');
    expect(existsSync(join(dir, 'src/devtools/panel.html'))).toBe(true);
  });

  it('has the keyboard shortcut and the options page', () => {
    expect(m['commands']).toEqual({
      _execute_action: { suggested_key: { default: 'Alt+Shift+I' }, description: expect.any(String) },
    });
    expect(m['options_ui']).toEqual({ page: 'src/options/index.html', open_in_tab: true });
  });

  it(`has the ${browser} background and settings only`, () => {
    const bg = m['background'] as Record<string, unknown>;
    if (browser === 'chromium') {
      expect(bg).toEqual({ service_worker: 'service-worker-loader.js', type: 'module' });
      expect(m).not.toHaveProperty('browser_specific_settings');
      expect(m['minimum_chrome_version']).toBeDefined();
    } else {
      expect(bg).toEqual({ scripts: ['service-worker-loader.js'], type: 'module' });
      expect(m).not.toHaveProperty('minimum_chrome_version');
      expect((m['browser_specific_settings'] as { gecko: { id: string } }).gecko.id).toBe(GECKO_ID);
    }
  });
});

it('the two builds differ only in their manifests', () => {
  const chromium = listFiles(DIST);
  const firefox = listFiles(DIST_FIREFOX);
  expect(firefox.map(([n]) => n)).toEqual(chromium.map(([n]) => n));
  for (const [i, [name, full]] of chromium.entries()) {
    if (name === 'manifest.json') continue;
    expect(readFileSync(firefox[i]![1]).equals(readFileSync(full)), name).toBe(true);
  }
  const strip = (m: Manifest) => {
    const { background: _b, minimum_chrome_version: _c, browser_specific_settings: _s, ...rest } = m;
    return rest;
  };
  expect(strip(read(DIST_FIREFOX))).toEqual(strip(read(DIST)));
});

describe('npm run package', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'wi-package-'));
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', out, '--no-lint'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  /** Unpacks with Python's zipfile (an independent reader), after checking every CRC. */
  function unzip(file: string): string {
    const to = mkdtempSync(join(tmpdir(), 'wi-unzip-'));
    const r = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); assert bad is None, bad; z.extractall(sys.argv[2])',
        file,
        to,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    return to;
  }

  it.each(BUILDS)('writes the $browser zip, named by version, holding exactly the build', ({ browser, dir }) => {
    const names = packageNames(VERSION);
    const file = join(out, browser === 'chromium' ? names.chrome : names.firefox);
    expect(file).toMatch(new RegExp(`waffle-inspector-(chrome|firefox)-${VERSION.replace(/\./g, '\\.')}\\.zip$`));
    expect(statSync(file).size).toBeGreaterThan(1000);
    const unpacked = unzip(file);
    try {
      const inZip = listFiles(unpacked).map(([n, f]) => [n, readFileSync(f).toString('base64')]);
      const built = listFiles(dir).map(([n, f]) => [n, readFileSync(f).toString('base64')]);
      expect(inZip).toEqual(built);
      expect(JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')).version).toBe(VERSION);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  });

  it('the Firefox zip passes web-ext lint with 0 errors, and only the known warning (once per Preact bundle)', () => {
    const unpacked = unzip(join(out, packageNames(VERSION).firefox));
    try {
      const report = webExtLint(unpacked) as {
        summary: { errors: number; warnings: number };
        errors: { code: string; message: string }[];
        warnings: { code: string; file: string }[];
      };
      console.log(`web-ext lint: ${report.summary.errors} errors, ${report.summary.warnings} warnings`);
      expect(report.errors).toEqual([]);
      // Preact's renderer assigns innerHTML for `dangerouslySetInnerHTML`, which no code of ours uses
      // (checked below); the linter flags the library code. Any other warning fails this test.
      for (const w of report.warnings) {
        expect(w.code).toBe('UNSAFE_VAR_ASSIGNMENT');
        expect(readFileSync(join(unpacked, w.file), 'utf8')).toContain('dangerouslySetInnerHTML');
      }
      // One per file that carries Preact's renderer: the popup's own single script (vite.config.ts
      // popupOneFile) and the chunk the options page loads.
      expect(new Set(report.warnings.map((w) => w.file)).size).toBe(report.warnings.length);
      expect(report.warnings.length).toBeLessThanOrEqual(2);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  }, 120_000);

  it('no source of ours writes HTML', () => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
      );
    const offenders = walk(join(REPO_ROOT, 'src'))
      .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
      .filter((f) =>
        /dangerouslySetInnerHTML|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write/.test(
          readFileSync(f, 'utf8'),
        ),
      );
    expect(offenders).toEqual([]);
  });
});

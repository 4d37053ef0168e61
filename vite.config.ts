import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import baseManifest from './manifest.json' with { type: 'json' };
import { firefoxManifest } from './scripts/firefox-manifest';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The manifest's version always comes from package.json.
const manifest = { ...baseManifest, version: pkg.version } as ManifestV3Export;

const OUT_DIR = 'dist';
const FIREFOX_OUT_DIR = 'dist-firefox';

/**
 * After the Chromium build is written, `dist-firefox/` is the same files with the Firefox manifest
 * (scripts/firefox-manifest.ts): one build, two browsers, nothing compiled twice.
 */
function firefoxCopy(): Plugin {
  let root = process.cwd();
  return {
    name: 'waffle-inspector:firefox',
    apply: 'build',
    configResolved(config) {
      root = config.root;
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        const from = resolve(root, OUT_DIR);
        const to = resolve(root, FIREFOX_OUT_DIR);
        rmSync(to, { recursive: true, force: true });
        cpSync(from, to, { recursive: true });
        const chromium = JSON.parse(readFileSync(resolve(from, 'manifest.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(resolve(to, 'manifest.json'), `${JSON.stringify(firefoxManifest(chromium), null, 2)}\n`);
      },
    },
  };
}

export default defineConfig({
  plugins: [crx({ manifest }), firefoxCopy()],
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
  // Never serve a dev `dist/` to test or ship: it exposes every file to every site.
  server: { host: '127.0.0.1', strictPort: true },
});

import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';
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
  let outDir = OUT_DIR;
  return {
    name: 'waffle-inspector:firefox',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = config.build.outDir;
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        // `vite build --outDir x` (a throw-away build) writes `x-firefox`, never over dist-firefox/.
        const from = resolve(root, outDir);
        const to = resolve(root, from === resolve(root, OUT_DIR) ? FIREFOX_OUT_DIR : `${outDir}-firefox`);
        rmSync(to, { recursive: true, force: true });
        cpSync(from, to, { recursive: true });
        const chromium = JSON.parse(readFileSync(resolve(from, 'manifest.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(resolve(to, 'manifest.json'), `${JSON.stringify(firefoxManifest(chromium), null, 2)}\n`);
      },
    },
  };
}

const POPUP_HTML = 'src/popup/index.html';

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 8);
}

/**
 * The popup is opened often and must show its flags at once, so its page loads ONE script and no
 * stylesheet: Rollup shares chunks between the popup, the options page and the worker (Preact, the
 * settings, the flag table), and each chunk was a file of its own that the popup page fetched from the
 * extension (a round trip through the browser process each, ~10-40 ms on a loaded 2-core machine;
 * docs/BENCHMARKS.md). After the bundle is generated, the popup's entry chunk and every chunk it
 * imports are bundled again into one file (esbuild, from the generated code: nothing is compiled
 * twice), and its stylesheet goes into the page as a `<style>` (the extension pages' CSP limits
 * scripts to the package's own files; it says nothing of styles). The other pages keep their chunks.
 *
 * Measured 2026-12-02, `node scripts/bench.mjs popup --vs nofile=<a build without this plugin>` (30 runs
 * each, interleaved, load ~5): the popup's script starts 54 ms after navigation with it, 63 ms without;
 * the empty popup's state is painted at 72 vs 84 ms (paired difference +8 ms, IQR 0 to +20); the first
 * screenful of 500 flags at 112 vs 120 ms (+4 ms, IQR -16 to +27). Kept: the script starts ~9 ms sooner.
 */
function popupOneFile(): Plugin {
  return {
    name: 'waffle-inspector:popup-one-file',
    apply: 'build',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      async handler(_options, bundle) {
        const page = bundle[POPUP_HTML];
        if (!page || page.type !== 'asset' || typeof page.source !== 'string') {
          this.error(`${POPUP_HTML} is not in the bundle`);
        }
        let html = page.source;
        const scripts = [...html.matchAll(/<script type="module" crossorigin src="\/([^"]+)"><\/script>/g)];
        const entry = scripts.length === 1 ? bundle[scripts[0]![1]!] : undefined;
        if (!entry || entry.type !== 'chunk') this.error(`${POPUP_HTML} should load one module script`);
        const code = (fileName: string): string => {
          const chunk = bundle[fileName];
          if (!chunk || chunk.type !== 'chunk') throw new Error(`the popup imports ${fileName}, not a chunk`);
          return chunk.code;
        };
        const out = await esbuild({
          entryPoints: [entry.fileName],
          bundle: true,
          write: false,
          format: 'esm',
          target: 'es2022',
          minify: true,
          legalComments: 'none',
          logLevel: 'silent',
          plugins: [
            {
              name: 'generated-chunks',
              setup(b) {
                b.onResolve({ filter: /.*/ }, (args) => ({
                  path: args.importer ? posix.join(posix.dirname(args.importer), args.path) : args.path,
                  namespace: 'chunk',
                }));
                b.onLoad({ filter: /.*/, namespace: 'chunk' }, (args) => ({ contents: code(args.path), loader: 'js' }));
              },
            },
          ],
        });
        const js = out.outputFiles[0]?.text;
        if (js === undefined) this.error('esbuild gave no popup script');
        const fileName = `assets/popup-${contentHash(js)}.js`;
        this.emitFile({ type: 'asset', fileName, source: js });
        delete bundle[entry.fileName];

        html = html.replace(scripts[0]![0], `<script type="module" src="/${fileName}"></script>`);
        // Nothing left to preload: the one script has it all.
        html = html.replace(/\s*<link rel="modulepreload" crossorigin href="[^"]+">/g, '');
        const styles = [...html.matchAll(/<link rel="stylesheet" crossorigin href="\/([^"]+)">/g)];
        for (const [tag, href] of styles) {
          const sheet = bundle[href!];
          if (!sheet || sheet.type !== 'asset') this.error(`${POPUP_HTML} links ${href}, not in the bundle`);
          const css = String(sheet.source);
          if (/<\/style/i.test(css)) this.error(`${href} cannot be inlined: it contains </style`);
          html = html.replace(tag, `<style>${css}</style>`);
          const elsewhere = Object.values(bundle).some(
            (f) => f !== page && f.type === 'asset' && typeof f.source === 'string' && f.source.includes(href!),
          );
          if (!elsewhere) delete bundle[href!];
        }
        page.source = html;
      },
    },
  };
}

export default defineConfig({
  plugins: [crx({ manifest }), popupOneFile(), firefoxCopy()],
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    // The DevTools panel is named by no manifest key (the DevTools page creates it at run time), so
    // crxjs builds it only as an input of its own.
    rollupOptions: { input: { panel: 'src/devtools/panel.html' } },
  },
  // Never serve a dev `dist/` to test or ship: it exposes every file to every site.
  server: { host: '127.0.0.1', strictPort: true },
});

import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import baseManifest from './manifest.json' with { type: 'json' };

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The manifest's version always comes from package.json.
const manifest = { ...baseManifest, version: pkg.version } as ManifestV3Export;

export default defineConfig({
  plugins: [crx({ manifest })],
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: false,
  },
  // Never serve a dev `dist/` to test or ship: it exposes every file to every site.
  server: { host: '127.0.0.1', strictPort: true },
});

#!/usr/bin/env node
// `npm run package`: the store packages of the build in dist/ (Chrome, Edge) and dist-firefox/
// (Firefox), named by the version in package.json:
//   artifacts/waffle-inspector-chrome-<version>.zip
//   artifacts/waffle-inspector-firefox-<version>.zip
// `npm run package` builds first; `node scripts/package.mjs [--out DIR] [--no-lint]` packs what is
// built. The Firefox build is checked with `web-ext lint` (Mozilla's add-on linter): any error fails.
// The zips are written by `web-ext build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function packageNames(version) {
  return { chrome: `waffle-inspector-chrome-${version}.zip`, firefox: `waffle-inspector-firefox-${version}.zip` };
}

function webExt(args) {
  const r = spawnSync(join(root, 'node_modules', '.bin', 'web-ext'), [...args, '--no-input'], {
    encoding: 'utf8',
    cwd: root,
    maxBuffer: 32 * 1024 * 1024,
  });
  if (r.error) throw new Error(`could not run web-ext: ${r.error.message}`);
  return r;
}

/** Runs `web-ext lint` on a directory; returns its JSON report. */
export function webExtLint(dir) {
  const r = webExt(['lint', '--source-dir', dir, '--output', 'json']);
  const start = r.stdout.indexOf('{');
  if (start < 0) throw new Error(`web-ext lint printed no report:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.slice(start));
}

function main(argv) {
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? resolve(argv[outAt + 1] ?? '') : join(root, 'artifacts');
  const lint = !argv.includes('--no-lint');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = packageNames(version);
  const builds = { chrome: join(root, 'dist'), firefox: join(root, 'dist-firefox') };
  for (const [browser, dir] of Object.entries(builds)) {
    const manifestPath = join(dir, 'manifest.json');
    if (!existsSync(manifestPath)) throw new Error(`${dir} has no manifest.json: run \`npx vite build\` first`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.version !== version) {
      throw new Error(`${browser} build is version ${manifest.version}, package.json says ${version}: rebuild`);
    }
  }
  if (lint) {
    const report = webExtLint(builds.firefox);
    const { errors, warnings, notices } = report.summary;
    console.log(`web-ext lint dist-firefox: ${errors} errors, ${warnings} warnings, ${notices} notices`);
    for (const m of [...report.errors, ...report.warnings])
      console.log(`  ${m._type} ${m.code} ${m.file ?? ''}: ${m.message}`);
    if (errors > 0) process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  for (const [browser, dir] of Object.entries(builds)) {
    const r = webExt([
      'build',
      '--source-dir',
      dir,
      '--artifacts-dir',
      out,
      '--filename',
      names[browser],
      '--overwrite-dest',
    ]);
    if (r.status !== 0) throw new Error(`web-ext build ${dir} failed:\n${r.stdout}\n${r.stderr}`);
    console.log(`wrote ${join(out, names[browser])}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
}

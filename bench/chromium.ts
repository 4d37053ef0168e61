// The two Chromium sessions of the bench, launched alike: the same binary, flags and a fresh profile
// each (the flags of every test session, test/e2e/harness.ts chromiumArgs, plus a host rule); the only
// difference is the built extension.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { builtExtension, CHROMIUM, chromiumArgs } from '../test/e2e/harness';
import { HOST_RULE } from './server';

export interface BenchBrowser {
  browser: Browser;
  /** `chrome-extension://<id>`, or null without the extension. */
  extensionOrigin: string | null;
  close(): Promise<void>;
}

/**
 * A private copy of the built extension: other people may run `vite build` while the bench runs,
 * which empties dist/ for a moment.
 */
export function snapshotExtension(dist?: string): { dir: string; remove(): void } {
  const source = builtExtension(dist);
  const dir = mkdtempSync(join(tmpdir(), 'wi-bench-ext-'));
  cpSync(source, dir, { recursive: true });
  builtExtension(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function launchBench(extensionDir: string | null): Promise<BenchBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'wi-bench-chromium-'));
  const args = [...chromiumArgs(), `--host-resolver-rules=${HOST_RULE}`];
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir,
    args,
    ...(extensionDir ? { enableExtensions: [extensionDir] } : {}),
  });
  let extensionOrigin: string | null = null;
  try {
    if (extensionDir) {
      const worker = await browser.waitForTarget(
        (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
        { timeout: 30_000 },
      );
      extensionOrigin = `chrome-extension://${new URL(worker.url()).host}`;
    }
  } catch (e) {
    await browser.close().catch(() => undefined);
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    browser,
    extensionOrigin,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

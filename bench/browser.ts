// The browser half of `npm run bench` (scripts/bench.mjs loads this file through Vite): page cost of
// the extension, and popup first render, in real Chromium.
import { execFileSync } from 'node:child_process';
import { CHROMIUM } from '../test/e2e/harness';
import { launchBench, snapshotExtension } from './chromium';
import { openCost, pageCost, type ModeResult } from './page-cost';
import { popupRender, type PopupResult } from './popup';
import { startBenchServer } from './server';

export interface BrowserBenchOptions {
  runs: number;
  warmup: number;
  popupRuns: number;
  log: (line: string) => void;
}

export interface BrowserBenchResult {
  chromium: string;
  pageCost: ModeResult[];
  openCost: Awaited<ReturnType<typeof openCost>>;
  popup: PopupResult;
}

export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserBenchResult> {
  const chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
  const extension = snapshotExtension();
  try {
    options.log(`page cost: ${options.warmup} warm-up + ${options.runs} runs per session and mode (${chromium})`);
    const cost = await pageCost({
      runs: options.runs,
      warmup: options.warmup,
      launch: (withExtension) => launchBench(withExtension ? extension.dir : null),
      log: options.log,
    });

    options.log('interceptor: XMLHttpRequest#open() loop, extension active vs not');
    const open = await openCost({
      launch: (withExtension) => launchBench(withExtension ? extension.dir : null),
      reps: 7,
    });

    options.log(`popup: 3 warm-up + ${options.popupRuns} renders`);
    const server = await startBenchServer();
    const session = await launchBench(extension.dir);
    try {
      const popup = await popupRender({
        browser: session.browser,
        extensionOrigin: session.extensionOrigin!,
        hostUrl: `${server.portal}/test-enterprise`,
        runs: options.popupRuns,
        warmup: 3,
      });
      return { chromium, pageCost: cost, openCost: open, popup };
    } finally {
      await session.close();
      await server.close();
    }
  } finally {
    extension.remove();
  }
}

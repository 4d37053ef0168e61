// The browser half of `npm run bench` (scripts/bench.mjs loads this file through Vite): page cost of
// the extension, and popup first render, in real Chromium.
import { execFileSync } from 'node:child_process';
import { CHROMIUM } from '../test/e2e/harness';
import { launchBench, snapshotExtension } from './chromium';
import { openCost, pageCost, type ModeResult } from './page-cost';
import { popupRender, type PopupBuild, type PopupResult } from './popup';
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

    const [popup] = await runPopupBench({ runs: options.popupRuns, warmup: 3, log: options.log, builds: [] });
    return { chromium, pageCost: cost, openCost: open, popup: popup! };
  } finally {
    extension.remove();
  }
}

/**
 * The popup's first render, for dist/ and for each other build given (`{ label, dir }`: another
 * `vite build --outDir`), each in a browser of its own, run by run interleaved (bench/popup.ts).
 */
export async function runPopupBench(options: {
  runs: number;
  warmup: number;
  log: (line: string) => void;
  builds: { label: string; dir: string }[];
}): Promise<PopupResult[]> {
  const builds = [{ label: 'dist', dir: undefined as string | undefined }, ...options.builds];
  const snapshots = builds.map((b) => snapshotExtension(b.dir));
  const server = await startBenchServer();
  const sessions: Awaited<ReturnType<typeof launchBench>>[] = [];
  try {
    const popupBuilds: PopupBuild[] = [];
    for (const [i, b] of builds.entries()) {
      const session = await launchBench(snapshots[i]!.dir);
      sessions.push(session);
      popupBuilds.push({ label: b.label, browser: session.browser, extensionOrigin: session.extensionOrigin! });
    }
    options.log(
      `popup: ${options.warmup} warm-up + ${options.runs} renders of each tab, build${builds.length > 1 ? 's' : ''} ${builds.map((b) => b.label).join(', ')}`,
    );
    return await popupRender({
      builds: popupBuilds,
      hostUrl: `${server.portal}/test-enterprise`,
      runs: options.runs,
      warmup: options.warmup,
    });
  } finally {
    for (const s of sessions) await s.close();
    await server.close();
    for (const s of snapshots) s.remove();
  }
}

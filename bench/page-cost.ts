// What the extension costs a portal page: the bench page (bench/server.ts) run again and again, in
// four tabs, interleaved so that the machine's drift falls on all of them alike:
//   on     the browser with the built extension, page on localhost: the extension is active;
//   off    the same browser, the same page on bench.test, which the extension does not match;
//   off2   a second such tab: off2 ÷ off is what two identical tabs differ by (the noise floor);
//   plain  a browser without the extension installed, page on localhost.
// The headline ratio is on ÷ off: the same browser process, network service and server, the page
// alone differing in whether the extension runs in it. (A second browser adds its own bias: two
// identical plain browsers differed by up to 30% on this shared machine, so on ÷ plain is given for
// information only.)
// Per run: the page's own wall time for its 200 requests, and the renderer main thread's busy time
// over the run (CDP Performance.getMetrics: TaskDuration, ScriptDuration), which moves far less than
// wall time between identical runs.
import type { Page } from 'puppeteer-core';
import { BATCH_MS } from '../src/core/envelope';
import type { BenchBrowser } from './chromium';
import { OFF_HOST, REQUESTS, startBenchServer, type Mode } from './server';
import { treeCpuMs } from './proc-cpu';
import { pairedRatios, spread, type Spread } from './stats';

export interface RunSample {
  wallMs: number;
  taskMs: number;
  scriptMs: number;
  /** CPU time of the tab's whole browser (every process) over the run: the extension's worker too. */
  cpuMs: number;
}

export const SLOTS = ['on', 'off', 'off2', 'plain'] as const;
export type Slot = (typeof SLOTS)[number];

export interface SlotResult {
  wallMs: Spread;
  taskMs: Spread;
  scriptMs: Spread;
  cpuMs: Spread;
}

export interface ModeResult {
  mode: Mode;
  requests: number;
  runs: number;
  slots: Record<Slot, SlotResult>;
  /** Paired ratios (run i of one tab ÷ run i of the other): median and spread. */
  ratios: {
    wall: { onOff: Spread; noise: Spread; onPlain: Spread };
    task: { onOff: Spread; noise: Spread; onPlain: Spread };
  };
  /** (median main-thread time on − off) ÷ requests, in µs. */
  taskPerRequestUs: number;
  scriptPerRequestUs: number;
  /** Median of the paired (on − off) CPU time of the whole browser per run, ÷ requests, in µs. */
  cpuPerRequestUs: number;
}

export interface PageCostOptions {
  runs: number;
  warmup: number;
  launch: (extension: boolean) => Promise<BenchBrowser>;
  log?: (line: string) => void;
}

type Run = () => Promise<{ ms: number; bytes: number }>;

/** Quiet time between runs, for the work a run leaves behind (the worker storing captures) to end. */
const SETTLE_MS = 250;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A seeded generator (mulberry32): the same orders on every run of the bench. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function once(page: Page, url: string, browserPid: number | undefined): Promise<RunSample> {
  await page.bringToFront(); // a background tab's renderer runs at a lower priority
  await page.goto(url, { waitUntil: 'load' });
  const before = await page.metrics();
  const cpuBefore = treeCpuMs(browserPid);
  const result = await page.evaluate(() => (window as unknown as { __run: Run }).__run());
  // Let the content script forward the last captures (it batches them for BATCH_MS) before the busy
  // time is read: the last batch is the page's cost too.
  await page.evaluate((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)), BATCH_MS + 100);
  const cpuAfter = treeCpuMs(browserPid);
  const after = await page.metrics();
  if (result.bytes < REQUESTS * 1000) throw new Error(`the bench page read only ${result.bytes} bytes`);
  return {
    cpuMs: cpuAfter - cpuBefore,
    wallMs: result.ms,
    taskMs: ((after.TaskDuration ?? 0) - (before.TaskDuration ?? 0)) * 1000,
    scriptMs: ((after.ScriptDuration ?? 0) - (before.ScriptDuration ?? 0)) * 1000,
  };
}

function summarize(samples: RunSample[]): SlotResult {
  return {
    wallMs: spread(samples.map((s) => s.wallMs)),
    taskMs: spread(samples.map((s) => s.taskMs)),
    scriptMs: spread(samples.map((s) => s.scriptMs)),
    cpuMs: spread(samples.map((s) => s.cpuMs)),
  };
}

function ratio(a: RunSample[], b: RunSample[], key: keyof RunSample): Spread {
  return spread(
    pairedRatios(
      a.map((s) => s[key]),
      b.map((s) => s[key]),
    ),
  );
}

/**
 * The interceptor's own synchronous cost for a request no source reads: XMLHttpRequest#open() (which
 * runs the URL test) called OPEN_CALLS times, with the extension active and not, in µs per call.
 */
export const OPEN_CALLS = 2000;

async function openLoop(page: Page, url: string): Promise<number> {
  await page.bringToFront();
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate((n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) new XMLHttpRequest().open('GET', '/api/other/' + i + '/');
    return performance.now() - started;
  }, OPEN_CALLS);
}

export async function openCost(
  options: Pick<PageCostOptions, 'launch'> & { reps: number },
): Promise<{ onUs: Spread; offUs: Spread; deltaUs: number }> {
  const server = await startBenchServer();
  const session = await options.launch(true);
  try {
    const on = await session.browser.newPage();
    const off = await session.browser.newPage();
    const onUs: number[] = [];
    const offUs: number[] = [];
    for (let i = 0; i < options.reps + 1; i++) {
      const a = await openLoop(on, server.pageUrl('other', 'localhost'));
      const b = await openLoop(off, server.pageUrl('other', OFF_HOST));
      if (i === 0) continue; // warm-up
      onUs.push((a / OPEN_CALLS) * 1000);
      offUs.push((b / OPEN_CALLS) * 1000);
    }
    const onS = spread(onUs);
    const offS = spread(offUs);
    return { onUs: onS, offUs: offS, deltaUs: onS.median - offS.median };
  } finally {
    await session.close();
    await server.close();
  }
}

export async function pageCost(options: PageCostOptions): Promise<ModeResult[]> {
  const log = options.log ?? (() => undefined);
  const server = await startBenchServer();
  const withExt = await options.launch(true);
  const plain = await options.launch(false);
  try {
    const withPid = withExt.browser.process()?.pid;
    const plainPid = plain.browser.process()?.pid;
    const tabs: Record<Slot, { page: Page; host: 'localhost' | typeof OFF_HOST; pid: number | undefined }> = {
      on: { page: await withExt.browser.newPage(), host: 'localhost', pid: withPid },
      off: { page: await withExt.browser.newPage(), host: OFF_HOST, pid: withPid },
      off2: { page: await withExt.browser.newPage(), host: OFF_HOST, pid: withPid },
      plain: { page: await plain.browser.newPage(), host: 'localhost', pid: plainPid },
    };
    const empty = (): Record<Slot, RunSample[]> => ({ on: [], off: [], off2: [], plain: [] });
    const samples: Record<Mode, Record<Slot, RunSample[]>> = { other: empty(), match: empty() };
    const total = options.warmup + options.runs;
    const random = seeded(8);
    for (let i = 0; i < total; i++) {
      for (const mode of ['other', 'match'] as const) {
        // A new random order each time: no tab always runs first, or right after the extension's
        // (whose service worker may still be storing what it captured), or right after the other browser.
        for (const slot of shuffled(SLOTS, random)) {
          const { page, host, pid } = tabs[slot];
          const sample = await once(page, server.pageUrl(mode, host), pid);
          if (i >= options.warmup) samples[mode][slot].push(sample);
          await pause(SETTLE_MS);
        }
      }
      if (i === options.warmup - 1) log(`page cost: warmed up (${options.warmup} runs of each)`);
      else if (i >= options.warmup && (i + 1 - options.warmup) % 5 === 0)
        log(`page cost: ${i + 1 - options.warmup}/${options.runs} runs`);
    }
    return (['other', 'match'] as const).map((mode) => {
      const s = samples[mode];
      const slots = {
        on: summarize(s.on),
        off: summarize(s.off),
        off2: summarize(s.off2),
        plain: summarize(s.plain),
      };
      return {
        mode,
        requests: REQUESTS,
        runs: s.on.length,
        slots,
        ratios: {
          wall: {
            onOff: ratio(s.on, s.off, 'wallMs'),
            noise: ratio(s.off2, s.off, 'wallMs'),
            onPlain: ratio(s.on, s.plain, 'wallMs'),
          },
          task: {
            onOff: ratio(s.on, s.off, 'taskMs'),
            noise: ratio(s.off2, s.off, 'taskMs'),
            onPlain: ratio(s.on, s.plain, 'taskMs'),
          },
        },
        taskPerRequestUs: ((slots.on.taskMs.median - slots.off.taskMs.median) / REQUESTS) * 1000,
        scriptPerRequestUs: ((slots.on.scriptMs.median - slots.off.scriptMs.median) / REQUESTS) * 1000,
        cpuPerRequestUs: (spread(s.on.map((x, i) => x.cpuMs - s.off[i]!.cpuMs)).median / REQUESTS) * 1000,
      };
    });
  } finally {
    await withExt.close().catch(() => undefined);
    await plain.close().catch(() => undefined);
    await server.close();
  }
}

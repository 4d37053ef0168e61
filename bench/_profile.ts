// temporary: trace of the heavy popup's first render
import { writeFileSync } from 'node:fs';
import { launchBench, snapshotExtension } from './chromium';
import { startBenchServer } from './server';
import { heavyState } from './popup';
import { encodeTabState } from '../src/core/storage-keys';

export async function profile(dir: string | undefined, out: string, n: number): Promise<void> {
  const ext = snapshotExtension(dir);
  const server = await startBenchServer();
  const s = await launchBench(ext.dir);
  try {
    const host = await s.browser.newPage();
    const url = `${server.portal}/test-enterprise#heavy`;
    await host.goto(url, { waitUntil: 'load' });
    const t = await s.browser.waitForTarget((t) => t.type() === 'service_worker');
    const worker = (await t.worker())!;
    const tabId = (await worker.evaluate(
      `chrome.tabs.query({}).then((tabs) => tabs.find((t) => t.url === ${JSON.stringify(url)})?.id ?? -1)`,
    )) as number;
    const json = encodeTabState(await heavyState(tabId, url));
    await worker.evaluate(`chrome.storage.session.set({ ['tab:${tabId}']: ${JSON.stringify(json)} })`);
    const popupUrl = `${s.extensionOrigin}/src/popup/index.html?tabId=${tabId}`;
    for (let i = 0; i < n; i++) {
      const p = await s.browser.newPage();
      const trace = i === n - 1;
      if (trace)
        await p.tracing.start({
          path: out,
          categories: [
            'devtools.timeline',
            'disabled-by-default-devtools.timeline',
            'v8.execute',
            'blink.user_timing',
            'loading',
            'disabled-by-default-devtools.timeline.frame',
            'toplevel',
            'blink',
            'v8',
          ],
        });
      await p.goto(popupUrl, { waitUntil: 'load' });
      await p.waitForFunction(() => document.querySelectorAll('[data-testid="flag-row"]').length === 500);
      await new Promise((r) => setTimeout(r, 300));
      if (trace) await p.tracing.stop();
      await p.close();
    }
  } finally {
    await s.close();
    await server.close();
    ext.remove();
  }
}

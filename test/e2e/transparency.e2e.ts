// The interceptor is invisible to the page. Every request shape of
// transparency-shapes.ts runs in a page of a browser with the extension and of the same browser
// without it, against one loopback server; the records of what the page observed (bodies, statuses,
// headers, events and their order and timing class, errors and their types, identities of the
// patched functions) and the requests the server saw must be equal. A difference fails with the
// shape's name and a diff. The run with the extension must also have captured what it should, so the
// suite cannot pass with an interceptor that does nothing.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS, launch, type Session } from './browsers';
import { SHAPES, type Shape } from './transparency-shapes';
import { startLoopback, type Loopback } from './transparency-server';

interface Run {
  record: unknown;
  envelopes: string[];
  requests: string[];
}

const idOf = (shape: Shape) => `s${SHAPES.indexOf(shape)}`;

async function runShape(page: Page, server: Loopback, shape: Shape, withExtension: boolean): Promise<Run> {
  const id = idOf(shape);
  server.log.delete(id);
  await page.goto(`${server.origin}/t?shape=${id}${shape.head ? '&head=1' : ''}`, { waitUntil: 'load' });
  let record: unknown;
  try {
    record = await page.evaluate(shape.head ? 'window.__headResult' : `(async (h) => {\n${shape.code}\n})(window.__h)`);
  } catch (e) {
    record = { shapeThrew: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
  const expected = withExtension ? shape.captures : 0;
  if (expected > 0) {
    await page
      .waitForFunction(
        (n: number) => (window as unknown as { __h: { envelopes: string[] } }).__h.envelopes.length >= n,
        { timeout: 10_000 },
        expected,
      )
      .catch(() => undefined);
  }
  // A few more tasks, so that a capture that should not happen has had the time to show up.
  await page.evaluate('window.__h.tasks(3)');
  const envelopes = (await page.evaluate('window.__h.envelopes')) as string[];
  return { record, envelopes, requests: [...(server.log.get(id) ?? [])].sort() };
}

const KNOWN_TICKS = (record: unknown): { rest: unknown; ticks: number } => {
  const { ticks, ...rest } = record as { ticks: number };
  return { rest, ticks };
};

for (const name of BROWSERS) {
  describe(`transparency in ${name}: ${SHAPES.length} request shapes, with and without the extension`, () => {
    let server: Loopback;
    let ext: Session;
    let plain: Session;
    let extPage: Page;
    let plainPage: Page;
    const differences: string[] = [];
    const known: string[] = [];

    beforeAll(async () => {
      server = await startLoopback({ headCode: (id) => SHAPES[Number(id.slice(1))]?.code ?? null });
      [ext, plain] = await Promise.all([launch(name, { extension: true }), launch(name, { extension: false })]);
      [extPage, plainPage] = await Promise.all([ext.newPage(), plain.newPage()]);
    });

    afterAll(async () => {
      await Promise.all([ext?.close(), plain?.close()]);
      await server?.close();
      const matching = SHAPES.filter((s) => s.captures > 0).length;
      console.log(
        `transparency (${name}): ${SHAPES.length} shapes (${matching} with captures, ${SHAPES.filter((s) => s.head).length} from <head>), ${differences.length} difference(s)${differences.length ? `: ${differences.join('; ')}` : ''}; documented: ${known.join('; ') || 'none seen'}`,
      );
    });

    for (const shape of SHAPES) {
      it(shape.name, async () => {
        const without = await runShape(plainPage, server, shape, false);
        const withExt = await runShape(extPage, server, shape, true);
        try {
          if (shape.known === 'one-microtask') {
            const a = KNOWN_TICKS(withExt.record);
            const b = KNOWN_TICKS(without.record);
            expect(a.rest, `${shape.name}: page-visible record`).toEqual(b.rest);
            expect(a.ticks - b.ticks, `${shape.name}: at most one microtask later`).toBeGreaterThanOrEqual(0);
            expect(a.ticks - b.ticks, `${shape.name}: at most one microtask later`).toBeLessThanOrEqual(1);
            if (a.ticks !== b.ticks) known.push(`${shape.name}: +${a.ticks - b.ticks} microtask`);
          } else if (shape.known === 'source-text') {
            const { source: a, ...restA } = withExt.record as { source: Record<string, string> };
            const { source: b, ...restB } = without.record as { source: Record<string, string> };
            expect(restA, `${shape.name}: page-visible record`).toEqual(restB);
            expect(Object.keys(a)).toEqual(Object.keys(b));
            for (const v of Object.values(b)) expect(v).toMatch(/\[native code\]/);
            known.push(
              `${shape.name}: ${
                Object.keys(a)
                  .filter((k) => a[k] !== b[k])
                  .join(', ') || 'none'
              } differ`,
            );
          } else {
            expect(withExt.record, `${shape.name}: page-visible record`).toEqual(without.record);
          }
          expect(withExt.requests, `${shape.name}: requests the server saw`).toEqual(without.requests);
        } catch (e) {
          differences.push(shape.name);
          throw e;
        }
        expect(without.envelopes, `${shape.name}: no interceptor without the extension`).toEqual([]);
        expect(
          withExt.envelopes.length,
          `${shape.name}: captures by the interceptor: ${JSON.stringify(withExt.envelopes)}`,
        ).toBe(shape.captures);
      });
    }

    it('the run with the extension really captured: the popup shows the flags of a matching response', async () => {
      await extPage.goto(`${server.origin}/t?shape=final`, { waitUntil: 'load' });
      await extPage.evaluate(`fetch(window.__h.M + '?s=final').then((r) => r.json())`);
      const popup = await ext.openPopup(extPage);
      const keys = Object.keys(server.features);
      await popup.waitForFunction(
        (want: string[]) => want.every((k) => document.querySelector(`[data-testid="flag-row"][data-key="${k}"]`)),
        { timeout: 15_000 },
        keys,
      );
      const rows = await popup.$$eval('[data-testid="flag-row"]', (els) =>
        Object.fromEntries(els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-on') === 'true'])),
      );
      expect(rows).toEqual(server.features);
      await popup.close();
    });
  });
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FIRST_CALL_WAIT_MS, PageCalls } from './page-calls';

const LMS_CALL = (port: number, at: number) => ({
  source: 'enterprise-learner' as const,
  url: `http://localhost:${port}/enterprise/api/v1/enterprise-learner/?username=u`,
  capturedAt: at,
});
const BFF_CALL = {
  source: 'bff-learner' as const,
  url: 'http://localhost:41001/api/v1/bffs/learner/dashboard/',
  capturedAt: 5,
};

/** Whether `promise` has settled by now (after the microtasks queued so far). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('PageCalls', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the latest call of each service', () => {
    const calls = new PageCalls(() => Date.now());
    calls.note(LMS_CALL(41000, 1));
    calls.note(BFF_CALL);
    calls.note(LMS_CALL(42000, 9));
    expect(calls.list()).toEqual([LMS_CALL(42000, 9), BFF_CALL]);
  });

  it("a call while the page loads waits for the page's first LMS call, not for a BFF call", async () => {
    const calls = new PageCalls(() => Date.now());
    const known = calls.lmsKnown();
    expect(await settled(known)).toBe(false);
    calls.note(BFF_CALL);
    expect(await settled(known)).toBe(false);
    calls.note(LMS_CALL(41000, 1));
    expect(await settled(known)).toBe(true);
    expect(await settled(calls.lmsKnown())).toBe(true); // known from then on: no wait
  });

  it('waits no longer than FIRST_CALL_WAIT_MS into the document, and not at all after that', async () => {
    const started = Date.now();
    const calls = new PageCalls(() => started);
    vi.advanceTimersByTime(FIRST_CALL_WAIT_MS - 1000);
    const known = calls.lmsKnown();
    vi.advanceTimersByTime(999);
    expect(await settled(known)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(known)).toBe(true);
    expect(await settled(calls.lmsKnown())).toBe(true);
  });
});

// The calls this document's page made that say where its services are: the latest capture of an LMS
// endpoint and of an enterprise-access (BFF) one. A backend call asked for while the page is still
// loading waits for the page's first LMS call (a popup opened right after a reload would otherwise
// ask before the portal did, and go to the environment's default address), but never past
// FIRST_CALL_WAIT_MS of the document's life: a page that calls no LMS by then gets the environment's.
import { SERVICE_OF_SOURCE, type Service } from '../core/page-services';
import type { FlagSnapshot } from '../core/types';

/** How long into a document's life a backend call waits for the page's own first LMS call. */
export const FIRST_CALL_WAIT_MS = 5_000;

export type PageCall = Pick<FlagSnapshot, 'source' | 'url' | 'capturedAt'>;

export class PageCalls {
  private readonly latest = new Map<Service, PageCall>();
  private waiting: (() => void)[] = [];

  /** @param startedAt when this document started (epoch ms; it changes when the page comes back from the bfcache) */
  constructor(
    private readonly startedAt: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  note(call: PageCall): void {
    const service = SERVICE_OF_SOURCE[call.source];
    this.latest.set(service, { source: call.source, url: call.url, capturedAt: call.capturedAt });
    if (service !== 'lms') return;
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((done) => done());
  }

  list(): PageCall[] {
    return [...this.latest.values()];
  }

  /** Resolves once the page has called an LMS endpoint, or once the document is FIRST_CALL_WAIT_MS old. */
  lmsKnown(): Promise<void> {
    const left = this.startedAt() + FIRST_CALL_WAIT_MS - this.now();
    if (this.latest.has('lms') || left <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, left);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiting.push(done);
    });
  }
}

// Which LMS (and which enterprise-access) a portal page uses: the origins of the page's own captured
// calls, so that the extension's backend calls, cookies and JWT refresh go where the page's go — a
// portal on another port, or one pointed at another LMS, is not sent to the environment's default
// address. The configured environment is the answer only while the page has called nothing we read.
// Pure: used by the content script (its own captures) and the popup (the tab's current load).
import { isLoopbackHost } from './environment';
import type { Environment, FlagSnapshot, SourceId } from './types';

export type Service = 'lms' | 'enterpriseAccess';

/** The service each source's endpoint belongs to (every source names one: adding a source must choose). */
export const SERVICE_OF_SOURCE: Readonly<Record<SourceId, Service>> = Object.freeze({
  'enterprise-learner': 'lms',
  'enterprise-customer': 'lms',
  'enterprise-customer-dashboard-list': 'lms',
  'enterprise-customer-with-access-to': 'lms',
  'enterprise-customer-support-tool': 'lms',
  'bff-learner': 'enterpriseAccess',
});

export interface ServiceChoice {
  origin: string;
  /** `page`: the page called it; `environment`: nothing captured yet, the environment's setting. */
  from: 'page' | 'environment';
}

/** The origin of a captured call's URL, when it is one the extension may call: https, or http on this machine. */
export function callableOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.username || parsed.password) return null;
  if (parsed.protocol === 'https:') return parsed.origin;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return parsed.origin;
  return null;
}

/** The origin of the most recent capture of `service`'s endpoints, or null when there is none. */
export function capturedOrigin(
  service: Service,
  snapshots: readonly Pick<FlagSnapshot, 'source' | 'url' | 'capturedAt'>[],
): string | null {
  let latest: { origin: string; at: number } | null = null;
  for (const s of snapshots) {
    if (SERVICE_OF_SOURCE[s.source] !== service) continue;
    const origin = callableOrigin(s.url);
    if (origin !== null && (latest === null || s.capturedAt >= latest.at)) latest = { origin, at: s.capturedAt };
  }
  return latest?.origin ?? null;
}

/** The LMS to call for a page: the one its captured calls went to, else the environment's; null without either. */
export function chooseService(
  service: Service,
  environment: Environment | null,
  snapshots: readonly Pick<FlagSnapshot, 'source' | 'url' | 'capturedAt'>[],
): ServiceChoice | null {
  const captured = capturedOrigin(service, snapshots);
  if (captured !== null) return { origin: captured, from: 'page' };
  const configured = service === 'lms' ? environment?.lms : environment?.enterpriseAccess;
  return configured ? { origin: configured, from: 'environment' } : null;
}

/** One line for the popup: which LMS (or enterprise-access) the extension sees the page use, and why. */
export function describeServiceChoice(
  service: Service,
  choice: ServiceChoice | null,
  environmentLabel: string | null,
): string {
  const name = service === 'lms' ? 'LMS' : 'enterprise-access (BFF)';
  if (choice === null) return `${name}: none known for this page`;
  if (choice.from === 'page') return `${name}: ${choice.origin} (the one this page calls)`;
  return `${name}: ${choice.origin} (${environmentLabel ?? 'the environment'}'s setting: this page has called no ${name} yet)`;
}

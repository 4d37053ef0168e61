// The Open edX environments the extension knows: built-in presets, plus the user's own (options page).
import type { Environment, PageContext } from './types';

export const PRESETS: readonly Environment[] = Object.freeze([
  {
    id: 'production',
    label: 'Production',
    preset: true,
    learnerPortals: ['https://enterprise.edx.org'],
    adminPortals: ['https://portal.edx.org'],
    lms: 'https://courses.edx.org',
    enterpriseAccess: 'https://enterprise-access.edx.org',
    jwtCookiePrefix: '',
  },
  {
    id: 'stage',
    label: 'Stage',
    preset: true,
    learnerPortals: ['https://enterprise.stage.edx.org'],
    adminPortals: ['https://portal.stage.edx.org'],
    lms: 'https://courses.stage.edx.org',
    enterpriseAccess: 'https://enterprise-access.stage.edx.org',
    jwtCookiePrefix: 'stage-',
  },
  {
    id: 'devstack',
    label: 'Devstack',
    preset: true,
    learnerPortals: ['http://localhost:8734'],
    adminPortals: ['http://localhost:1991'],
    lms: 'http://localhost:18000',
    enterpriseAccess: 'http://localhost:18270',
    jwtCookiePrefix: '',
  },
]);

/** Hosts the browser itself treats as this machine (`url.hostname` form: IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '127.0.0.1' || hostname === '[::1]'
  );
}

/**
 * Which environment and portal a page belongs to. An exact origin match wins; any other loopback
 * origin counts as devstack (developers and tests serve portals on other local ports).
 */
export function detectContext(pageUrl: string, environments: readonly Environment[] = PRESETS): PageContext {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return { environment: null, portal: null };
  }
  for (const env of environments) {
    if (env.learnerPortals.includes(url.origin)) return { environment: env, portal: 'learner' };
    if (env.adminPortals.includes(url.origin)) return { environment: env, portal: 'admin' };
  }
  if (isLoopbackHost(url.hostname) && url.protocol === 'http:') {
    const devstack = environments.find((e) => e.id === 'devstack') ?? null;
    return { environment: devstack, portal: /\/admin(\/|$)/.test(url.pathname) ? 'admin' : 'learner' };
  }
  return { environment: null, portal: null };
}

/** `?feature=NAME` parameters (repeatable): front-end-only overrides that never reach the backend. */
export function featureParams(pageUrl: string): string[] {
  try {
    const values = new URL(pageUrl).searchParams.getAll('feature');
    return [...new Set(values.map((v) => v.trim()).filter((v) => v.length > 0 && v.length <= 200))].slice(0, 50);
  } catch {
    return [];
  }
}

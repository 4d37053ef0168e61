// The user's own Open edX environments (options page): pure validation and the rules for which hosts
// need a runtime permission. Storage and permissions themselves live in platform/settings-store.ts and
// background/registration.ts; everything here is tested in Node (settings.test.ts).
import { isLoopbackHost, PRESETS } from './environment';
import type { Checked, Environment } from './types';

/** `storage.sync` key holding `{ version: 1, custom: Environment[] }`. */
export const ENVIRONMENTS_KEY = 'environments';
export const SETTINGS_VERSION = 1;
/** storage.sync allows 8 KB per item: a few dozen environments fit, more is a mistake. */
export const MAX_CUSTOM_ENVIRONMENTS = 20;
export const MAX_ORIGINS_PER_LIST = 10;
/** Prefix of every dynamically registered content script id: `<prefix><kind>:<environment id>`. */
export const SCRIPT_ID_PREFIX = 'wi-env:';

/** What the options form holds: text as typed. Origin lists are one per line or comma-separated. */
export interface EnvironmentInput {
  label: string;
  learnerPortals: string;
  adminPortals: string;
  lms: string;
  jwtCookiePrefix: string;
}

export type EnvironmentField = keyof EnvironmentInput;
export type FieldErrors = Partial<Record<EnvironmentField, string>>;

export type ParsedOrigin = Checked<{ origin: string }>;

/** Hosts the manifest already covers (host_permissions + static content scripts): no runtime request. */
export const STATIC_HOST_PATTERNS: readonly string[] = Object.freeze(
  [
    ...new Set([
      ...PRESETS.flatMap((e) => [...e.learnerPortals, ...e.adminPortals]).map((o) => matchPattern(o)),
      'http://localhost/*',
      'http://127.0.0.1/*',
    ]),
  ].sort(),
);

/**
 * The match pattern of an origin: scheme and host, any port and path. Match patterns cannot name a
 * port (Firefox refuses them, Chromium ignores them), so another port of the same host matches too.
 */
export function matchPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** Parses one origin as a person types it: `https://learner.example.org` (a trailing `/` is fine). */
export function parseOrigin(raw: string): ParsedOrigin {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'Enter an origin, e.g. https://learner.example.org' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `"${text}" is not an origin: write it as https://host or https://host:port` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `"${text}" is not an origin: only https:// (or http:// on this machine) is possible` };
  }
  if (url.username || url.password)
    return { ok: false, reason: `"${text}" carries a user name or password: leave them out` };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || /[?#]/.test(text)) {
    return { ok: false, reason: `"${text}" has a path: enter only the origin, e.g. ${url.origin}` };
  }
  if (url.hostname.startsWith('[')) {
    return {
      ok: false,
      reason: `"${text}": IPv6 addresses are not supported; use a host name (localhost for this machine)`,
    };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return {
      ok: false,
      reason: `"${text}" uses http: only https is allowed for hosts other than localhost, *.localhost and 127.0.0.1`,
    };
  }
  return { ok: true, origin: url.origin };
}

const PREFIX_RE = /^[A-Za-z0-9._-]{0,40}$/;
const LABEL_MAX = 60;

function splitOrigins(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A stable id from the label (`[a-z0-9-]`), unique among `taken`. */
export function environmentId(label: string, taken: ReadonlySet<string>): string {
  const base =
    label
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'custom';
  let id = `custom-${base}`;
  for (let n = 2; taken.has(id); n++) id = `custom-${base}-${n}`;
  return id;
}

/**
 * Checks what the user typed against every environment already known (presets included) and returns
 * either the environment to save or one message per field that is wrong. Nothing is partly accepted.
 */
export function validateEnvironment(
  input: EnvironmentInput,
  custom: readonly Environment[],
): { ok: true; environment: Environment } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const all = [...PRESETS, ...custom];
  const label = input.label.trim();
  if (label === '') errors.label = 'Give the environment a name, e.g. "Acme production".';
  else if (label.length > LABEL_MAX) errors.label = `The name is longer than ${LABEL_MAX} characters.`;
  else if (all.some((e) => e.label.toLowerCase() === label.toLowerCase())) {
    errors.label = `An environment named "${label}" exists already.`;
  } else if (custom.length >= MAX_CUSTOM_ENVIRONMENTS) {
    errors.label = `At most ${MAX_CUSTOM_ENVIRONMENTS} custom environments can be saved; delete one first.`;
  }

  const owner = new Map<string, string>();
  for (const e of all) for (const o of [...e.learnerPortals, ...e.adminPortals]) owner.set(o, e.label);
  const seen = new Set<string>();
  const originList = (field: 'learnerPortals' | 'adminPortals'): string[] => {
    const out: string[] = [];
    const items = splitOrigins(input[field]);
    if (items.length > MAX_ORIGINS_PER_LIST) {
      errors[field] = `At most ${MAX_ORIGINS_PER_LIST} origins.`;
      return out;
    }
    for (const item of items) {
      const r = parseOrigin(item);
      if (!r.ok) {
        errors[field] = r.reason;
        return out;
      }
      const taken = owner.get(r.origin);
      if (taken !== undefined) {
        errors[field] = `${r.origin} belongs to "${taken}" already.`;
        return out;
      }
      if (seen.has(r.origin)) {
        errors[field] = `${r.origin} is listed twice.`;
        return out;
      }
      seen.add(r.origin);
      out.push(r.origin);
    }
    return out;
  };
  const learnerPortals = originList('learnerPortals');
  const adminPortals = originList('adminPortals');
  if (!errors.learnerPortals && !errors.adminPortals && learnerPortals.length + adminPortals.length === 0) {
    errors.learnerPortals = 'Enter at least one learner or admin portal origin.';
  }

  let lms = '';
  const lmsResult = parseOrigin(input.lms);
  if (!lmsResult.ok) errors.lms = lmsResult.reason;
  else lms = lmsResult.origin;

  const jwtCookiePrefix = input.jwtCookiePrefix.trim();
  if (!PREFIX_RE.test(jwtCookiePrefix)) {
    errors.jwtCookiePrefix =
      'The prefix may hold only letters, digits, ".", "_" and "-" (at most 40), e.g. "stage-"; leave it empty for none.';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    environment: {
      id: environmentId(label, new Set(all.map((e) => e.id))),
      label,
      preset: false,
      learnerPortals,
      adminPortals,
      lms,
      enterpriseAccess: null,
      jwtCookiePrefix,
    },
  };
}

/** Match patterns an environment's portals need that the manifest does not already grant. */
export function patternsNeeded(env: Environment): string[] {
  const patterns = [...env.learnerPortals, ...env.adminPortals].map(matchPattern);
  return [...new Set(patterns)].filter((p) => !STATIC_HOST_PATTERNS.includes(p)).sort();
}

/** Patterns `env` needed that no environment in `remaining` still needs: safe to give back. */
export function patternsToRelease(env: Environment, remaining: readonly Environment[]): string[] {
  const kept = new Set(remaining.flatMap(patternsNeeded));
  return patternsNeeded(env).filter((p) => !kept.has(p));
}

function isOriginList(v: unknown): v is string[] {
  return (
    Array.isArray(v) &&
    v.length <= MAX_ORIGINS_PER_LIST &&
    v.every((o) => typeof o === 'string' && parseOrigin(o).ok && new URL(o).origin === o)
  );
}

/**
 * The custom environments in a `storage.sync` value, checked again (sync storage is shared between
 * the user's machines and may have been written by another version): anything malformed is dropped,
 * and so is anything that would claim a preset's origin or id.
 */
export function readCustomEnvironments(stored: unknown): Environment[] {
  if (typeof stored !== 'object' || stored === null) return [];
  const list = (stored as { custom?: unknown }).custom;
  if (!Array.isArray(list)) return [];
  const out: Environment[] = [];
  const ids = new Set(PRESETS.map((p) => p.id));
  const origins = new Set(PRESETS.flatMap((p) => [...p.learnerPortals, ...p.adminPortals]));
  for (const item of list.slice(0, MAX_CUSTOM_ENVIRONMENTS)) {
    if (typeof item !== 'object' || item === null) continue;
    const e = item as Record<string, unknown>;
    if (typeof e['id'] !== 'string' || !/^custom-[a-z0-9-]{1,40}$/.test(e['id']) || ids.has(e['id'])) continue;
    if (typeof e['label'] !== 'string' || e['label'].trim() === '' || e['label'].length > LABEL_MAX) continue;
    if (!isOriginList(e['learnerPortals']) || !isOriginList(e['adminPortals'])) continue;
    if (typeof e['lms'] !== 'string' || !parseOrigin(e['lms']).ok) continue;
    if (typeof e['jwtCookiePrefix'] !== 'string' || !PREFIX_RE.test(e['jwtCookiePrefix'])) continue;
    const portals = [...e['learnerPortals'], ...e['adminPortals']];
    if (portals.length === 0 || portals.some((o) => origins.has(o))) continue;
    portals.forEach((o) => origins.add(o));
    ids.add(e['id']);
    out.push({
      id: e['id'],
      label: e['label'],
      preset: false,
      learnerPortals: [...e['learnerPortals']],
      adminPortals: [...e['adminPortals']],
      lms: new URL(e['lms']).origin,
      enterpriseAccess: null,
      jwtCookiePrefix: e['jwtCookiePrefix'],
    });
  }
  return out;
}

/** The value to store for a list of custom environments. */
export function storedValue(custom: readonly Environment[]): { version: number; custom: Environment[] } {
  return { version: SETTINGS_VERSION, custom: custom.map((e) => ({ ...e, preset: false })) };
}

/** Every environment the extension recognises: the user's own first, then the presets. */
export function allEnvironments(custom: readonly Environment[]): Environment[] {
  return [...custom, ...PRESETS];
}

// What a source rule is, and the checks every rule shares. Everything here reads untrusted JSON:
// nothing is assumed about its shape, and every failure is a sentence for the diagnostics list.
import { flagNameFor } from '../flag-names';
import type { Checked, EnterpriseRef, FlagValue, SourceId } from '../types';

/** The most keys one `enterprise_features` map may have before we stop reading it. */
export const MAX_FEATURE_KEYS = 500;
/** The longest key we keep; longer ones are reported, not shown. */
export const MAX_KEY_LENGTH = 200;

export interface Extracted {
  flags: FlagValue[];
  enterprise: EnterpriseRef | null;
  username: string | null;
  /** Parts that could not be read; the rest of the response is still used. */
  problems: string[];
}

export type RuleReading = Checked<{ value: Extracted }>;

export interface SourceRule {
  id: SourceId;
  method: 'GET' | 'POST';
  /** Matches the URL's path (no query). Kept simple: the interceptor tests it on every request. */
  path: RegExp;
  /** Extra conditions on the URL beyond its path, e.g. a required query parameter. */
  accepts?: (url: URL) => boolean;
  extract: (body: unknown) => RuleReading;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

/** Reads `body.enterprise_features`, keeping every boolean and reporting the rest. */
export function readFeatures(body: Record<string, unknown>): RuleReading {
  if (!('enterprise_features' in body)) {
    return { ok: false, reason: 'the response has no "enterprise_features" object' };
  }
  const features = body['enterprise_features'];
  if (!isRecord(features)) {
    return { ok: false, reason: `"enterprise_features" is ${kind(features)}, not an object of true/false values` };
  }
  const keys = Object.keys(features);
  if (keys.length > MAX_FEATURE_KEYS) {
    return {
      ok: false,
      reason: `"enterprise_features" has ${keys.length} keys; more than ${MAX_FEATURE_KEYS} is not read`,
    };
  }
  const flags: FlagValue[] = [];
  const problems: string[] = [];
  for (const key of keys) {
    const value = features[key];
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      problems.push(`a key of ${key.length} characters in "enterprise_features" was skipped`);
    } else if (typeof value !== 'boolean') {
      problems.push(`"${key}" is ${kind(value)}, not true/false: skipped`);
    } else {
      flags.push({ key, flag: flagNameFor(key), on: value });
    }
  }
  return { ok: true, value: { flags, enterprise: null, username: null, problems } };
}

/** An enterprise customer reference, if `value` looks like one; otherwise null. */
export function readEnterprise(value: unknown): EnterpriseRef | null {
  if (!isRecord(value)) return null;
  const { uuid, name, slug } = value;
  if (typeof uuid !== 'string' || typeof slug !== 'string') return null;
  return {
    uuid: uuid.slice(0, 64),
    slug: slug.slice(0, 200),
    name: typeof name === 'string' ? name.slice(0, 300) : slug,
  };
}

/** The `results` array of a DRF paginated body, or the body itself as a one-item list. */
export function results(body: Record<string, unknown>): unknown[] {
  const list = body['results'];
  return Array.isArray(list) ? list : [];
}

/** Builds the common rule shape: parse features, then let `enrich` fill enterprise and user. */
export function featuresRule(
  enrich: (body: Record<string, unknown>) => Pick<Extracted, 'enterprise' | 'username'>,
): (body: unknown) => RuleReading {
  return (body) => {
    if (!isRecord(body)) return { ok: false, reason: `the body is ${kind(body)}, not a JSON object` };
    const features = readFeatures(body);
    if (!features.ok) return features;
    return { ok: true, value: { ...features.value, ...enrich(body) } };
  };
}

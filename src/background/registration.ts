// Content scripts for the user's own environments (options page), registered at run time.
//
// The presets are covered by the manifest's static content_scripts: nothing here is needed for them.
// A custom portal origin gets the same two scripts as the presets (the MAIN-world interceptor and the
// isolated content script, at document_start) once the user has granted its host permission. The
// registered set is derived again from storage and granted permissions whenever either changes, and at
// start-up, so it never drifts: a deleted environment or a revoked permission removes its scripts.
import { patternsNeeded, readCustomEnvironments, SCRIPT_ID_PREFIX, ENVIRONMENTS_KEY } from '../core/settings';
import type { Environment } from '../core/types';

export interface ScriptSpec {
  id: string;
  matches: string[];
  js: string[];
  runAt: 'document_start';
  world?: 'MAIN';
  persistAcrossSessions: boolean;
  allFrames: boolean;
}

/** The slice of the WebExtension API this module uses, so that tests can give a fake one. */
export interface RegistrationApi {
  getManifest(): { content_scripts?: { js?: string[]; world?: string }[] };
  /** `runtime.getURL('/')`: Firefox's getManifest names content scripts by absolute moz-extension URL. */
  extensionRoot(): string;
  containsOrigins(origins: string[]): Promise<boolean>;
  getRegistered(): Promise<{ id: string; matches?: string[]; js?: string[] }[]>;
  register(scripts: ScriptSpec[]): Promise<void>;
  unregister(ids: string[]): Promise<void>;
  readSettings(): Promise<unknown>;
}

/** A script path relative to the extension's root, however the browser spelt it. */
export function rootRelative(path: string, root: string): string {
  const url = new URL(path, root);
  return url.href.startsWith(root) ? url.href.slice(root.length) : path;
}

/**
 * The built file names of the two static content scripts, read from the manifest (never hard-coded),
 * relative to the extension's root: Firefox resolves a relative path in `registerContentScripts`
 * against the calling document, which for the background is at the root.
 */
export function scriptFiles(
  manifest: ReturnType<RegistrationApi['getManifest']>,
  root: string,
): { main: string[]; isolated: string[] } {
  const entries = manifest.content_scripts ?? [];
  const rel = (js: string[] | undefined) => (js ?? []).map((p) => rootRelative(p, root));
  const main = rel(entries.find((c) => c.world === 'MAIN')?.js);
  const isolated = rel(entries.find((c) => c.world !== 'MAIN')?.js);
  if (main.length === 0 || isolated.length === 0) throw new Error('the manifest lacks the static content scripts');
  return { main, isolated };
}

/** The scripts that should be registered for these environments, given which patterns are granted. */
export function desiredScripts(
  environments: readonly Environment[],
  granted: ReadonlySet<string>,
  files: { main: string[]; isolated: string[] },
): ScriptSpec[] {
  const out: ScriptSpec[] = [];
  for (const env of environments) {
    const matches = patternsNeeded(env).filter((p) => granted.has(p));
    if (matches.length === 0) continue;
    const common = { matches, runAt: 'document_start' as const, persistAcrossSessions: true, allFrames: false };
    out.push({ id: `${SCRIPT_ID_PREFIX}main:${env.id}`, js: files.main, world: 'MAIN', ...common });
    out.push({ id: `${SCRIPT_ID_PREFIX}isolated:${env.id}`, js: files.isolated, ...common });
  }
  return out;
}

const same = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  (a ?? []).length === b.length && [...(a ?? [])].sort().join('\n') === [...b].sort().join('\n');

/** Brings the registered scripts in line with storage and permissions; returns the ids registered after. */
export async function syncRegistrations(api: RegistrationApi): Promise<string[]> {
  const environments = readCustomEnvironments(await api.readSettings());
  const root = api.extensionRoot();
  const files = scriptFiles(api.getManifest(), root);
  const granted = new Set<string>();
  for (const pattern of [...new Set(environments.flatMap(patternsNeeded))]) {
    if (await api.containsOrigins([pattern])) granted.add(pattern);
  }
  const want = desiredScripts(environments, granted, files);
  const have = (await api.getRegistered()).filter((s) => s.id.startsWith(SCRIPT_ID_PREFIX));
  const stale = have.filter((h) => {
    const w = want.find((s) => s.id === h.id);
    const js = (h.js ?? []).map((p) => rootRelative(p, root));
    return !w || !same(h.matches, w.matches) || !same(js, w.js);
  });
  if (stale.length > 0) await api.unregister(stale.map((s) => s.id));
  const kept = new Set(have.filter((h) => !stale.includes(h)).map((h) => h.id));
  const missing = want.filter((s) => !kept.has(s.id));
  if (missing.length > 0) await api.register(missing);
  return want.map((s) => s.id);
}

/** Runs syncs one after the other: a change arriving during a sync causes one more sync, not a race. */
export function serialized(run: () => Promise<unknown>, onError: (e: unknown) => void): () => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return () => {
    chain = chain.then(() => run().then(() => undefined, onError));
    return chain;
  };
}

export { ENVIRONMENTS_KEY };

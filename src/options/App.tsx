// The options page: the built-in environments, the user's own, and a form to add one.
//
// Saving is all or nothing: the input is checked (core/settings.ts) against every known environment,
// then the browser is asked for the new hosts' permission, then the list is written; a refusal or a
// failed write leaves storage and permissions as they were, and says why next to the form.
import { useEffect, useState } from 'preact/hooks';
import { PRESETS } from '../core/environment';
import {
  patternsNeeded,
  patternsToRelease,
  validateEnvironment,
  type EnvironmentField,
  type EnvironmentInput,
  type FieldErrors,
} from '../core/settings';
import type { Environment } from '../core/types';

export interface OptionsApi {
  load(): Promise<Environment[]>;
  save(custom: Environment[]): Promise<void>;
  watch(onChange: (custom: Environment[]) => void): () => void;
  /** Asks for host permissions; must be called while a user action is being handled. */
  request(origins: string[]): Promise<boolean>;
  release(origins: string[]): Promise<void>;
  /** Whether all these host permissions are granted now. */
  contains(origins: string[]): Promise<boolean>;
  /** The keyboard shortcut that opens the popup, or null when none is set. */
  shortcut(): Promise<string | null>;
}

const EMPTY: EnvironmentInput = { label: '', learnerPortals: '', adminPortals: '', lms: '', jwtCookiePrefix: '' };

const FIELDS: { name: EnvironmentField; label: string; hint: string; multiline?: boolean }[] = [
  { name: 'label', label: 'Name', hint: 'Shown in the popup, e.g. "Acme production".' },
  {
    name: 'learnerPortals',
    label: 'Learner portal origins',
    hint: 'One per line, e.g. https://learner.acme.org',
    multiline: true,
  },
  {
    name: 'adminPortals',
    label: 'Admin portal origins',
    hint: 'One per line, e.g. https://admin.acme.org',
    multiline: true,
  },
  { name: 'lms', label: 'LMS origin', hint: 'Where enrollments are made, e.g. https://courses.acme.org' },
  {
    name: 'jwtCookiePrefix',
    label: 'JWT cookie prefix',
    hint: 'Empty for edx-jwt-cookie-header-payload; "stage-" for stage-edx-jwt-cookie-header-payload.',
  },
];

function message(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}

function Origins({ list }: { list: readonly string[] }) {
  if (list.length === 0) return <span class="muted">none</span>;
  return (
    <>
      {list.map((o, i) => (
        <span key={o}>
          {i > 0 ? ', ' : ''}
          <code>{o}</code>
        </span>
      ))}
    </>
  );
}

function EnvironmentRow({
  env,
  onDelete,
  onAllow,
  access,
  busy,
}: {
  env: Environment;
  onDelete?: () => void;
  onAllow?: () => void;
  /** Whether the browser lets the extension read this environment's portals; undefined while asking. */
  access?: boolean;
  busy: boolean;
}) {
  return (
    <li class="env" data-testid={env.preset ? 'preset-env' : 'custom-env'} data-id={env.id}>
      <div class="env__head">
        <h3 class="env__name">{env.label}</h3>
        {onDelete ? (
          <button
            type="button"
            class="danger"
            data-testid="delete-env"
            aria-label={`Delete ${env.label}`}
            disabled={busy}
            onClick={onDelete}
          >
            Delete
          </button>
        ) : (
          <span class="tag">built in</span>
        )}
      </div>
      {access === false && onAllow ? (
        <p class="error" data-testid="no-access">
          The browser does not let the extension read these portals any more, so nothing is captured there.{' '}
          <button type="button" data-testid="allow-env" disabled={busy} onClick={onAllow}>
            Allow access
          </button>
        </p>
      ) : null}
      <dl class="facts">
        <dt>Learner portals</dt>
        <dd>
          <Origins list={env.learnerPortals} />
        </dd>
        <dt>Admin portals</dt>
        <dd>
          <Origins list={env.adminPortals} />
        </dd>
        <dt>LMS</dt>
        <dd>
          <code>{env.lms}</code>
        </dd>
        <dt>JWT cookie prefix</dt>
        <dd>{env.jwtCookiePrefix ? <code>{env.jwtCookiePrefix}</code> : <span class="muted">none</span>}</dd>
      </dl>
    </li>
  );
}

export function App({ api }: { api: OptionsApi }) {
  const [custom, setCustom] = useState<Environment[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [input, setInput] = useState<EnvironmentInput>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [shortcut, setShortcut] = useState<string | null | undefined>(undefined);
  const [access, setAccess] = useState<Record<string, boolean>>({});
  const [checks, setChecks] = useState(0);

  // Which saved environments the browser still lets us read (the user may revoke access elsewhere).
  useEffect(() => {
    if (!custom) return;
    let closed = false;
    const recheck = () => setChecks((n) => n + 1);
    void Promise.all(
      custom.map(async (env) => {
        const patterns = patternsNeeded(env);
        return [env.id, patterns.length === 0 || (await api.contains(patterns).catch(() => false))] as const;
      }),
    ).then((entries) => !closed && setAccess(Object.fromEntries(entries)));
    document.addEventListener('visibilitychange', recheck);
    return () => {
      closed = true;
      document.removeEventListener('visibilitychange', recheck);
    };
  }, [api, custom, checks]);

  useEffect(() => {
    let closed = false;
    const stop = api.watch((list) => setCustom(list));
    api.load().then(
      (list) => !closed && setCustom(list),
      (e) => !closed && setLoadError(`Could not read the saved environments: ${message(e)}`),
    );
    api.shortcut().then(
      (s) => !closed && setShortcut(s),
      () => !closed && setShortcut(null),
    );
    return () => {
      closed = true;
      stop();
    };
  }, [api]);

  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (custom === null || busy) return;
    setStatus(null);
    setFormError(null);
    const result = validateEnvironment(input, custom);
    if (!result.ok) {
      setErrors(result.errors);
      const first = FIELDS.find((f) => result.errors[f.name]);
      if (first) document.getElementById(`field-${first.name}`)?.focus();
      return;
    }
    setErrors({});
    const env = result.environment;
    const patterns = patternsNeeded(env);
    // No await before this call: the permission prompt needs the user's click to be in progress.
    const asked = patterns.length > 0 ? api.request(patterns) : Promise.resolve(true);
    setBusy(true);
    void (async () => {
      try {
        let granted: boolean;
        try {
          granted = await asked;
        } catch (e) {
          setFormError(
            `The browser would not ask for access to ${patterns.join(', ')}: ${message(e)}. Nothing was saved.`,
          );
          return;
        }
        if (!granted) {
          setFormError(
            `Access to ${patterns.join(', ')} was not granted, so the extension could not read those portals. Nothing was saved.`,
          );
          return;
        }
        const next = [...custom, env];
        try {
          await api.save(next);
        } catch (e) {
          // Give back what was just granted: nothing stays half-way.
          if (patterns.length > 0) await api.release(patterns).catch(() => undefined);
          setFormError(`Could not save "${env.label}": ${message(e)}. Nothing was saved.`);
          return;
        }
        setCustom(next);
        setInput(EMPTY);
        setStatus(`Saved "${env.label}". Reload its portal tabs to start capturing there.`);
      } finally {
        setBusy(false);
      }
    })();
  };

  const onAllow = (env: Environment): void => {
    const patterns = patternsNeeded(env);
    // Straight from the click, like saving: the prompt needs the user's action in progress.
    const asked = api.request(patterns);
    setStatus(null);
    setFormError(null);
    void asked.then(
      (granted) => {
        setChecks((n) => n + 1);
        if (!granted) setFormError(`Access to ${patterns.join(', ')} was not granted.`);
      },
      (e) => setFormError(`The browser would not ask for access to ${patterns.join(', ')}: ${message(e)}`),
    );
  };

  const onDelete = (env: Environment): void => {
    if (custom === null || busy) return;
    const remaining = custom.filter((e) => e.id !== env.id);
    setBusy(true);
    setStatus(null);
    setFormError(null);
    void (async () => {
      try {
        await api.save(remaining);
        setCustom(remaining);
        const release = patternsToRelease(env, remaining);
        if (release.length > 0) await api.release(release).catch(() => undefined);
        setStatus(`Deleted "${env.label}".`);
      } catch (e) {
        setFormError(`Could not delete "${env.label}": ${message(e)}`);
      } finally {
        setBusy(false);
      }
    })();
  };

  return (
    <main>
      <h1>Waffle Inspector options</h1>
      <p class="intro">
        The extension reads Waffle flags on the portals of the environments below. Add your own Open edX hosts as a
        custom environment; the browser asks you once for access to their portals.
      </p>
      <p class="intro" data-testid="shortcut">
        {shortcut === undefined
          ? ''
          : shortcut
            ? `Keyboard: ${shortcut} opens the popup.`
            : 'Keyboard: no shortcut is set to open the popup; choose one in the browser’s extension shortcuts settings.'}
      </p>

      <section aria-labelledby="presets-title">
        <h2 id="presets-title">Built-in environments</h2>
        <ul class="envs">
          {PRESETS.map((env) => (
            <EnvironmentRow key={env.id} env={env} busy={busy} />
          ))}
        </ul>
      </section>

      <section aria-labelledby="custom-title">
        <h2 id="custom-title">Your environments</h2>
        {loadError ? (
          <p class="error" role="alert">
            {loadError}
          </p>
        ) : custom === null ? (
          <p class="muted">Loading…</p>
        ) : custom.length === 0 ? (
          <p class="muted" data-testid="no-custom">
            None yet.
          </p>
        ) : (
          <ul class="envs">
            {custom.map((env) => (
              <EnvironmentRow
                key={env.id}
                env={env}
                busy={busy}
                access={access[env.id]}
                onAllow={() => onAllow(env)}
                onDelete={() => onDelete(env)}
              />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="add-title">
        <h2 id="add-title">Add an environment</h2>
        <form data-testid="options-form" onSubmit={onSubmit} noValidate>
          {FIELDS.map((f) => {
            const error = errors[f.name];
            const id = `field-${f.name}`;
            const props = {
              id,
              name: f.name,
              'data-testid': id,
              value: input[f.name],
              'aria-invalid': error ? ('true' as const) : undefined,
              'aria-describedby': `${id}-hint${error ? ` ${id}-error` : ''}`,
              onInput: (e: Event) => setInput({ ...input, [f.name]: (e.currentTarget as HTMLInputElement).value }),
            };
            return (
              <div class="field" key={f.name}>
                <label for={id}>{f.label}</label>
                {f.multiline ? <textarea rows={2} {...props} /> : <input type="text" spellcheck={false} {...props} />}
                <p class="hint" id={`${id}-hint`}>
                  {f.hint}
                </p>
                {error ? (
                  <p class="error" id={`${id}-error`} data-testid={`error-${f.name}`}>
                    {error}
                  </p>
                ) : null}
              </div>
            );
          })}
          <div role="alert" aria-live="assertive">
            {formError ? (
              <p class="error" data-testid="form-error">
                {formError}
              </p>
            ) : null}
          </div>
          <div role="status" aria-live="polite">
            {status ? (
              <p class="ok" data-testid="saved">
                {status}
              </p>
            ) : null}
          </div>
          <button type="submit" class="primary" data-testid="save-env" disabled={busy || custom === null}>
            Save environment
          </button>
        </form>
      </section>
    </main>
  );
}

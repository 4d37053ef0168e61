// Testing mode in an open row, for a flag whose Waffle `testing` is on: force it on or off for this
// browser (the `dwft_<flag>` cookie on the LMS origin), show the override, clear it. The `cookies`
// permission is asked for at the first click, not at install.
import { useEffect, useState } from 'preact/hooks';
import type { TestingOverride } from '../../core/testing-mode';
import type { TestingCookies } from './cookies';

export interface TestingModeProps {
  flag: string;
  lms: string;
  cookies: TestingCookies;
  /** Reloads the portal tab, so that the LMS evaluates the flag again with the cookie. */
  reload: () => Promise<void>;
}

type Known = { status: 'unknown' } | { status: 'known'; override: TestingOverride };

function errorText(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}

export function TestingMode({ flag, lms, cookies, reload }: TestingModeProps) {
  const [known, setKnown] = useState<Known>({ status: 'unknown' });
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Without the permission the override cannot be read: nothing is asked for until the user clicks.
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        if (!(await cookies.allowed(lms))) return;
        const override = await cookies.read(lms, flag);
        if (live) setKnown({ status: 'known', override });
      } catch {
        // Unknown stays unknown: the buttons still work.
      }
    })();
    return () => {
      live = false;
    };
  }, [cookies, lms, flag]);

  const apply = async (override: TestingOverride) => {
    setBusy(true);
    setError(null);
    try {
      // The prompt must come first, while the click is being handled.
      if (!(await cookies.request(lms))) {
        setError(`The browser did not allow cookies on ${new URL(lms).origin}, so nothing was changed.`);
        return;
      }
      await cookies.write(lms, flag, override);
      setKnown({ status: 'known', override: await cookies.read(lms, flag) });
      setChanged(true);
    } catch (e) {
      setError(`Could not change the override: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const override = known.status === 'known' ? known.override : null;
  return (
    <div class="testing" data-testid="testing-mode" data-override={known.status === 'known' ? String(override) : ''}>
      <p class="testing__state" data-testid="testing-state">
        <strong>Testing mode</strong>{' '}
        {known.status === 'unknown'
          ? 'is on for this flag: force it for this browser.'
          : override === null
            ? '— no override in this browser.'
            : `— forced ${override} in this browser.`}
      </p>
      <div class="testing__buttons">
        <button
          type="button"
          data-testid="force-on"
          disabled={busy}
          aria-pressed={override === 'on'}
          onClick={() => void apply('on')}
        >
          Force on
        </button>
        <button
          type="button"
          data-testid="force-off"
          disabled={busy}
          aria-pressed={override === 'off'}
          onClick={() => void apply('off')}
        >
          Force off
        </button>
        {override !== null ? (
          <button type="button" data-testid="force-clear" disabled={busy} onClick={() => void apply(null)}>
            Clear
          </button>
        ) : null}
        {changed ? (
          <button type="button" data-testid="force-reload" onClick={() => void reload()}>
            Reload tab
          </button>
        ) : null}
      </div>
      <p class="muted testing__note">
        Sets the <code>dwft_{flag}</code> cookie on {new URL(lms).origin}: it changes only what the LMS evaluates for
        this browser, not the BFF, which asks the LMS without your cookies.
      </p>
      {error ? (
        <p class="inline-error" role="alert" data-testid="testing-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

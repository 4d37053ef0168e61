// The agent's own recent lookups (`GET lookups/`, newest first), read from the LMS's audit log each
// time the section opens; choosing one looks that user up again.
import type { Lookup } from '../../core/subject';

export type RecentState =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; lookups: Lookup[] };

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

export function RecentLookups({ recent, onPick }: { recent: RecentState; onPick: (username: string) => void }) {
  return (
    <section class="recent-lookups" aria-labelledby="recent-lookups-heading">
      <h3 id="recent-lookups-heading">Your recent lookups</h3>
      {recent.status === 'loading' ? (
        <p class="muted" aria-busy="true">
          Asking the LMS…
        </p>
      ) : recent.status === 'error' ? (
        <p class="field-error" data-testid="recent-lookups-error">
          {recent.message}
        </p>
      ) : recent.lookups.length === 0 ? (
        <p class="muted" data-testid="recent-lookups-empty">
          None yet. Each lookup is kept in the LMS's audit log.
        </p>
      ) : (
        <ul data-testid="recent-lookups">
          {recent.lookups.map((l) => (
            <li key={l.id} data-testid="recent-lookup" data-username={l.subject.username}>
              <button type="button" class="link-button" onClick={() => onPick(l.subject.username)}>
                {l.subject.username}
              </button>{' '}
              <span class="muted">
                {l.subject.email} · <time dateTime={l.at}>{new Date(l.at).toLocaleString()}</time>
                {l.fromUrl ? ` · ${pathOf(l.fromUrl)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// "View as user…" for support agents: only when the LMS says the caller may look at other users
// (`permissions.can_view_others`). Find the user, see who they are, their flags next to mine with the
// differences first, match them on me, copy the comparison for the ticket, and my recent lookups.
// Everything is asked of the LMS with my own session from the portal's origin, and kept in memory
// only: a lookup is gone when the popup closes.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { EnrollRequest, Enrollment, FlagsResponse } from '../../core/backend-api';
import { describeBackendError, type BackendAnswer } from '../../core/backend-error';
import { compareFlags } from '../../core/comparison';
import { comparisonMarkdown } from '../../core/comparison-report';
import { planMatch } from '../../core/match';
import type { AskBackend } from '../enroll/useEnrollment';
import { ComparisonView } from './ComparisonView';
import { MatchOnMe } from './MatchOnMe';
import { RecentLookups, type RecentState } from './RecentLookups';
import { SubjectCard } from './SubjectCard';
import { useLookup, type Scope } from './useLookup';
import { UserSearch } from './UserSearch';
import './view-as.css';

export interface ViewAsProps {
  ask: AskBackend;
  /** Enrolls me, as "Enroll me" does: the portal is checked after the next reload. */
  enroll: (request: EnrollRequest) => Promise<BackendAnswer<Enrollment>>;
  /** My `GET flags/` answer for the page (from enrollment): its permissions decide whether this shows. */
  mine: FlagsResponse | null;
  /** The page's Waffle flag names; null when there are more than one request may name. */
  names: string[] | null;
  pageUrl: string;
  /** Where this is, for the copied comparison: "Devstack (learner portal)". */
  environment: string;
  now: () => number;
  copy: (markdown: string) => Promise<void>;
  /** After Match on me enrolled me: refresh my rows. */
  onEnrolled: (enrollments: Enrollment[]) => Promise<void>;
}

export function ViewAs(props: ViewAsProps) {
  if (!props.mine?.permissions.canViewOthers) return null;
  return <ViewAsSection {...props} mine={props.mine} />;
}

function ViewAsSection({
  ask,
  enroll,
  mine,
  names,
  pageUrl,
  environment,
  now,
  copy,
  onEnrolled,
}: ViewAsProps & {
  mine: FlagsResponse;
}) {
  const [open, setOpen] = useState(false);
  const [recent, setRecent] = useState<RecentState>({ status: 'loading' });
  const [copied, setCopied] = useState<{ ok: boolean; text: string } | null>(null);
  const { state, lookUp, refreshMine, clear } = useLookup({ ask, names, pageUrl });
  const recentAsked = useRef(0);

  const loadRecent = useCallback(async () => {
    const mineAsk = ++recentAsked.current;
    const result = await ask('backend/lookups', { limit: 20 });
    if (mineAsk !== recentAsked.current) return;
    setRecent(
      result.ok
        ? { status: 'ready', lookups: result.data }
        : { status: 'error', message: describeBackendError(result.error) },
    );
  }, [ask]);

  useEffect(() => {
    if (open) void loadRecent();
  }, [open, loadRecent]);

  const view = useCallback(
    async (user: string, scope?: Scope) => {
      setCopied(null);
      if (await lookUp(user, scope)) void loadRecent();
    },
    [lookUp, loadRecent],
  );

  const ready = state.status === 'ready' ? state : null;
  const comparison = useMemo(() => (ready ? compareFlags(ready.mine, ready.theirs) : null), [ready]);
  const plan = useMemo(() => (ready && comparison ? planMatch(comparison, ready.mine) : null), [ready, comparison]);

  if (!open) {
    return (
      <section class="view-as" aria-label="View as another user">
        <button type="button" data-testid="view-as-open" onClick={() => setOpen(true)}>
          View as user…
        </button>
      </section>
    );
  }

  // `user` of an answer is the caller; whom it describes is `subject` (absent from an older backend).
  const them = ready?.theirs.subject?.username ?? ready?.user ?? '';
  const nowMs = now();

  const copyComparison = async () => {
    if (!ready || !comparison) return;
    const markdown = comparisonMarkdown({
      pageUrl,
      environment,
      me: ready.mine.subject ?? ready.mine.user,
      them: ready.theirs.subject ?? {
        id: 0,
        username: ready.user,
        email: '',
        isActive: true,
        isStaff: false,
        isSuperuser: false,
        enterpriseCustomers: [],
      },
      comparison,
      now: new Date(nowMs),
    });
    try {
      await copy(markdown);
      setCopied({ ok: true, text: 'Copied: the comparison is on the clipboard, as Markdown.' });
    } catch (e) {
      setCopied({ ok: false, text: `Could not copy: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  return (
    <section class="view-as" aria-labelledby="view-as-heading" data-testid="view-as">
      <div class="section-head">
        <h2 id="view-as-heading">View as user</h2>
        <button
          type="button"
          data-testid="view-as-close"
          onClick={() => {
            clear();
            setOpen(false);
          }}
        >
          Close
        </button>
      </div>
      <UserSearch ask={ask} busy={state.status === 'loading'} onPick={(user) => void view(user)} />
      {state.status === 'loading' ? (
        <p class="muted" data-testid="view-as-loading" aria-busy="true">
          Asking the LMS for {state.user}'s flags…
        </p>
      ) : null}
      {state.status === 'error' ? (
        <p class="warning" role="alert" data-testid="view-as-error">
          {state.message}
        </p>
      ) : null}
      {ready && comparison && plan ? (
        <div class="view-as__result" data-testid="view-as-result" data-user={them}>
          <SubjectCard subject={ready.theirs.subject ?? null} fallback={ready.user} />
          <ComparisonView
            key={ready.scope.kind === 'search' ? `q:${ready.scope.q}` : 'page'}
            comparison={comparison}
            them={them}
            scope={ready.scope}
            truncated={ready.theirs.truncated === true}
            busy={false}
            now={nowMs}
            onScope={(scope) => void view(ready.user, scope)}
          />
          <div class="toolbar">
            <button type="button" data-testid="copy-comparison" onClick={() => void copyComparison()}>
              Copy comparison
            </button>
          </div>
          {copied ? (
            <p class={copied.ok ? 'inline-ok' : 'field-error'} role="status" data-testid="copy-comparison-status">
              {copied.text}
            </p>
          ) : null}
          <MatchOnMe
            key={`${them}:${ready.scope.kind === 'search' ? ready.scope.q : ''}`}
            enroll={enroll}
            plan={plan}
            mine={mine}
            them={them}
            onEnrolled={async (enrollments) => {
              await onEnrolled(enrollments);
              await refreshMine();
            }}
          />
        </div>
      ) : null}
      <RecentLookups recent={recent} onPick={(user) => void view(user)} />
    </section>
  );
}

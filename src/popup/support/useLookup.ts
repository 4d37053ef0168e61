// The state of one "View as user" lookup: their flags and mine, asked for together with the same
// names (the page's flags) or the same flag search, so that the two sides describe the same flags at
// the same moment. Held in memory only: closing the popup forgets it (nothing goes to storage).
import { useCallback, useRef, useState } from 'preact/hooks';
import type { FlagsQuery, FlagsResponse } from '../../core/backend-api';
import { describeBackendError } from '../../core/backend-error';
import { fromUrlFor } from '../../core/subject';
import type { AskBackend } from '../enroll/useEnrollment';

/** Which flags are compared: those the page showed, or those whose name contains `q` (at most 50). */
export type Scope = { kind: 'page' } | { kind: 'search'; q: string };

export type LookupState =
  | { status: 'idle' }
  | { status: 'loading'; user: string; scope: Scope }
  | { status: 'error'; user: string; scope: Scope; message: string }
  | { status: 'ready'; user: string; scope: Scope; theirs: FlagsResponse; mine: FlagsResponse };

export interface LookupOptions {
  ask: AskBackend;
  /** The page's Waffle flag names; null when there are more than one request may name. */
  names: string[] | null;
  pageUrl: string;
}

function flagsOp(scope: Scope, names: string[] | null): FlagsQuery {
  return scope.kind === 'search' ? { q: scope.q } : { names: names ?? [] };
}

export function useLookup({ ask, names, pageUrl }: LookupOptions): {
  state: LookupState;
  lookUp: (user: string, scope?: Scope) => Promise<boolean>;
  refreshMine: () => Promise<void>;
  clear: () => void;
} {
  const [state, setState] = useState<LookupState>({ status: 'idle' });
  const asked = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  /** Looks `user` up; true when their flags came (an audited lookup was made). */
  const lookUp = useCallback(
    async (user: string, scope: Scope = { kind: 'page' }): Promise<boolean> => {
      const mine = ++asked.current; // a late answer for an earlier lookup must not replace this one
      setState({ status: 'loading', user, scope });
      const op = flagsOp(scope, names);
      const fromUrl = fromUrlFor(pageUrl);
      const [theirs, me] = await Promise.all([
        ask('backend/flags', { ...op, user, ...(fromUrl ? { fromUrl } : {}) }),
        ask('backend/flags', op),
      ]);
      if (mine !== asked.current) return false;
      if (!theirs.ok || !me.ok) {
        const error = !theirs.ok ? theirs.error : !me.ok ? me.error : null;
        setState({ status: 'error', user, scope, message: error ? describeBackendError(error) : '' });
        return theirs.ok;
      }
      setState({
        status: 'ready',
        user,
        scope,
        theirs: theirs.data,
        mine: me.data,
      });
      return true;
    },
    [ask, names, pageUrl],
  );

  /** Asks again for my side only (after I enrolled): their side is unchanged, and asking it would audit again. */
  const refreshMine = useCallback(async () => {
    const current = stateRef.current;
    if (current.status !== 'ready') return;
    const mine = asked.current;
    const me = await ask('backend/flags', flagsOp(current.scope, names));
    if (mine !== asked.current || !me.ok) return;
    setState({ ...current, mine: me.data });
  }, [ask, names]);

  const clear = useCallback(() => {
    asked.current++;
    setState({ status: 'idle' });
  }, []);

  return { state, lookUp, refreshMine, clear };
}

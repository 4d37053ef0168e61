// The "View as user" field: a username or email, with suggestions from the LMS (`GET users/?q=`) once
// 2 characters are typed, asked for after a pause in typing. A combobox: arrows move through the
// suggestions, Enter picks one (or looks up what is typed), Escape closes the list.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { UserRef } from '../../core/backend-api';
import { describeBackendError } from '../../core/backend-error';
import { MAX_USER_VALUE, MIN_USER_SEARCH } from '../../core/subject';
import type { AskBackend } from '../enroll/useEnrollment';

/** How long typing must pause before suggestions are asked for. */
export const SUGGEST_DELAY_MS = 250;

type Suggestions =
  { status: 'none' } | { status: 'ready'; q: string; users: UserRef[] } | { status: 'error'; message: string };

export function UserSearch({ ask, busy, onPick }: { ask: AskBackend; busy: boolean; onPick: (user: string) => void }) {
  const [text, setText] = useState('');
  const [suggestions, setSuggestions] = useState<Suggestions>({ status: 'none' });
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const asked = useRef(0);
  /** The value last picked: putting it in the field is no reason to suggest again. */
  const picked = useRef<string | null>(null);

  useEffect(() => inputRef.current?.focus(), []);

  // Ask for suggestions once typing pauses; an answer to an older text is dropped.
  useEffect(() => {
    const q = text.trim();
    const mine = ++asked.current;
    if (q.length < MIN_USER_SEARCH || q.length > MAX_USER_VALUE || q === picked.current) {
      setSuggestions({ status: 'none' });
      return undefined;
    }
    const timer = setTimeout(() => {
      void ask('backend/users', { q }).then((result) => {
        if (mine !== asked.current) return;
        setActive(-1);
        setSuggestions(
          result.ok
            ? { status: 'ready', q, users: result.data }
            : { status: 'error', message: describeBackendError(result.error) },
        );
      });
    }, SUGGEST_DELAY_MS);
    return () => clearTimeout(timer);
  }, [ask, text]);

  const users = suggestions.status === 'ready' ? suggestions.users : [];
  const listOpen = open && users.length > 0;

  const pick = (value: string) => {
    const user = value.trim();
    if (!user) return setProblem('Type a username or email.');
    if (user.length > MAX_USER_VALUE) return setProblem(`At most ${MAX_USER_VALUE} characters.`);
    setProblem(null);
    setOpen(false);
    picked.current = user;
    setText(user);
    onPick(user);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' && users.length) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % users.length);
    } else if (e.key === 'ArrowUp' && users.length) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i <= 0 ? users.length - 1 : i - 1));
    } else if (e.key === 'Escape' && listOpen) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      setActive(-1);
    } else if (e.key === 'Enter' && listOpen && active >= 0 && users[active]) {
      e.preventDefault();
      pick(users[active].username);
    }
  };

  return (
    <form
      class="view-as__search"
      data-testid="view-as-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        pick(text);
      }}
    >
      <label for="view-as-user">Username or email</label>
      <div class="combobox">
        <input
          ref={inputRef}
          id="view-as-user"
          type="text"
          role="combobox"
          data-testid="view-as-user"
          value={text}
          autoComplete="off"
          spellcheck={false}
          maxLength={MAX_USER_VALUE}
          aria-autocomplete="list"
          aria-expanded={listOpen}
          aria-controls="view-as-suggestions"
          aria-activedescendant={listOpen && active >= 0 ? `view-as-suggestion-${active}` : undefined}
          aria-invalid={problem ? true : undefined}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setOpen(true);
            setProblem(null);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
        />
        <button type="submit" data-testid="view-as-submit" disabled={busy}>
          {busy ? 'Looking…' : 'View'}
        </button>
      </div>
      <ul
        id="view-as-suggestions"
        role="listbox"
        class="suggestions"
        data-testid="user-suggestions"
        aria-label="Matching users"
        hidden={!listOpen}
      >
        {users.map((u, i) => (
          <li
            key={u.id}
            id={`view-as-suggestion-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'suggestion suggestion--active' : 'suggestion'}
            data-testid="user-suggestion"
            data-username={u.username}
            // mousedown, not click: picking must happen before the field loses the focus and closes the list
            onMouseDown={(e) => {
              e.preventDefault();
              pick(u.username);
            }}
          >
            <strong>{u.username}</strong> <span class="muted">{u.email}</span>
          </li>
        ))}
      </ul>
      {open && suggestions.status === 'ready' && users.length === 0 && text.trim() === suggestions.q ? (
        <p class="muted" data-testid="no-suggestions">
          No active user's username or email starts with “{suggestions.q}”.
        </p>
      ) : null}
      {suggestions.status === 'error' ? (
        <p class="field-error" data-testid="suggestions-error">
          No suggestions: {suggestions.message}
        </p>
      ) : null}
      {problem ? (
        <p class="field-error" data-testid="view-as-problem">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

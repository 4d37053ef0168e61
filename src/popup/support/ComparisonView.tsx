// Their flags next to mine: differences first with their count, each row with both values and both
// reasons. The page's flags by default; other flags by a name search (`GET flags/?q=`, at most 50 —
// the LMS no longer lists every flag at once), sent only on Enter since each search is an audited lookup.
import { useState } from 'preact/hooks';
import { isFlagSearch, MAX_FLAG_SEARCH_LENGTH } from '../../core/backend-api';
import { differCount, type ComparedFlag, type Comparison } from '../../core/comparison';
import { whySentence, type FlagValue } from '../../core/why';
import { Breakable } from '../FlagRowView';
import type { Scope } from './useLookup';

function Value({ value }: { value: FlagValue | null }) {
  return <span class={`value value--${value ?? 'missing'}`}>{value ?? 'not in the answer'}</span>;
}

function Row({ row, them, now }: { row: ComparedFlag; them: string; now: number }) {
  return (
    <li
      class={row.differs ? 'compare-row compare-row--differs' : 'compare-row'}
      data-testid="compare-row"
      data-flag={row.name}
      data-differs={String(row.differs)}
      data-theirs={row.theirsValue ?? ''}
      data-mine={row.mineValue ?? ''}
    >
      <code class="compare-row__flag">
        <Breakable text={row.name} />
      </code>
      <div class="compare-row__side" data-testid="compare-theirs">
        <span class="compare-row__who">{them}</span> <Value value={row.theirsValue} />
        {row.theirs ? <p class="why">{whySentence(row.theirs, 'them', now)}</p> : null}
      </div>
      <div class="compare-row__side" data-testid="compare-mine">
        <span class="compare-row__who">you</span> <Value value={row.mineValue} />
        {row.mine ? <p class="why">{whySentence(row.mine, 'me', now)}</p> : null}
      </div>
    </li>
  );
}

export function ComparisonView({
  comparison,
  them,
  scope,
  truncated,
  busy,
  now,
  onScope,
}: {
  comparison: Comparison;
  them: string;
  scope: Scope;
  /** The search matched more flags than one answer holds. */
  truncated: boolean;
  busy: boolean;
  now: number;
  onScope: (scope: Scope) => void;
}) {
  const [q, setQ] = useState(scope.kind === 'search' ? scope.q : '');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <section class="comparison" aria-labelledby="comparison-heading">
      <div class="section-head">
        <h3 id="comparison-heading">{scope.kind === 'page' ? "This page's flags" : `Flags containing “${scope.q}”`}</h3>
        <span class="count" data-testid="differ-count" data-differing={comparison.differing}>
          {comparison.rows.length} compared · {differCount(comparison.differing)}
        </span>
      </div>
      {comparison.rows.length === 0 ? (
        <p class="muted" data-testid="compare-empty">
          {scope.kind === 'page'
            ? 'The page showed no flag the LMS knows. Search for flags by name below.'
            : 'No flag you may see has that in its name.'}
        </p>
      ) : (
        <ul class="compare-list" data-testid="compare-list">
          {comparison.rows.map((row) => (
            <Row key={row.name} row={row} them={them} now={now} />
          ))}
        </ul>
      )}
      {truncated ? (
        <p class="muted" data-testid="compare-truncated">
          More flags match than one answer holds (50): make the search longer to see the rest.
        </p>
      ) : null}
      <form
        class="compare-search"
        data-testid="compare-search"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const text = q.trim();
          if (!isFlagSearch(text)) return setProblem(`Type 1 to ${MAX_FLAG_SEARCH_LENGTH} characters of a flag name.`);
          setProblem(null);
          onScope({ kind: 'search', q: text });
        }}
      >
        <label>
          <span>Compare other flags: part of a name</span>
          <input
            type="search"
            data-testid="compare-search-input"
            value={q}
            maxLength={MAX_FLAG_SEARCH_LENGTH}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </label>
        <button type="submit" data-testid="compare-search-submit" disabled={busy}>
          Compare
        </button>
        {scope.kind === 'search' ? (
          <button type="button" data-testid="compare-page" disabled={busy} onClick={() => onScope({ kind: 'page' })}>
            Back to this page's flags
          </button>
        ) : null}
        {problem ? (
          <p class="field-error" data-testid="compare-search-problem">
            {problem}
          </p>
        ) : null}
      </form>
    </section>
  );
}

import { describe, expect, it } from 'vitest';
import { fixtureText } from '../../test/fixtures';
import { MemoryArea } from '../../test/memory-area';
import { encodeEnvelope, parseEnvelope } from './envelope';
import { extract } from './extract';
import { TabStore } from '../background/tab-store';
import {
  decodeResults,
  encodeResults,
  FEATURES_TEXT_CAP,
  MAX_RESULTS,
  readCaptures,
  withoutSuperseded,
  type CaptureResult,
} from './results';
import { MAX_FEATURE_KEYS } from './sources/rule';
import { MAX_DIAGNOSTICS } from './storage-keys';

const PAGE = 'https://enterprise.edx.org/test-enterprise';
const NOW = 1_700_000_000_000;
const LEARNER = 'https://courses.edx.org/enterprise/api/v1/enterprise-learner/?username=alice&page=1';
const BFF = 'https://enterprise.edx.org/api/v1/bffs/learner/dashboard/';

const env = (body: string | null, url = LEARNER, method = 'GET', status = 200, note = '') =>
  encodeEnvelope(method, url, status, note, body);

/** What the background made of the same captures before (it read the bodies itself). */
function backgroundReading(items: [number, string][]): CaptureResult[] {
  const out: CaptureResult[] = [];
  for (const [at, detail] of items) {
    const e = parseEnvelope(detail, PAGE, at);
    if (!e.ok) {
      out.push({ kind: 'diagnostic', diagnostic: { url: PAGE, method: '', source: null, at, reason: e.reason } });
      continue;
    }
    const r = extract(e.response);
    if (r.kind !== 'ignored') out.push(r);
  }
  return out;
}

const roundTrip = (results: CaptureResult[]) => decodeResults(encodeResults(results));

/** What the worker reads of results sent with no panel watching: all but the panel's extras. */
const withoutExtras = (results: CaptureResult[]): CaptureResult[] =>
  results.map((r) => (r.kind === 'snapshot' ? { kind: r.kind, snapshot: r.snapshot, problems: r.problems } : r));

describe('content script reads captures, the background reads what it sends', () => {
  const items: [number, string][] = [
    [NOW + 1, env(fixtureText('lms-enterprise-api-v1-enterprise-learner.json'))],
    [NOW + 2, env(fixtureText('enterprise-access-api-v1-bffs-learner-dashboard.json'), BFF, 'POST')],
    [NOW + 3, env('{}', 'https://courses.edx.org/api/other/')], // no source reads it: nothing
    [NOW + 4, 'wi1\nget me\nhttps://x.org/\n200\n\n{}'], // malformed: a diagnostic for the page
    [NOW + 5, env('<html>sign in</html>')],
    [NOW + 6, env('{"detail":"no"}', LEARNER, 'GET', 500)],
    [NOW + 7, env(null, LEARNER, 'GET', 200, 'the body is 3000000 characters, over the cap')],
    [NOW + 8, env('{"enterprise_features": {"wt_str": "true", "wt_ok": true, "wt_num": 1}}')],
  ];

  it('gives, in order, what the background made of the bodies itself, flags, enterprise and user included', () => {
    const read = readCaptures(items, PAGE);
    expect(read).toEqual(backgroundReading(items));
    expect(read.map((r) => r.kind)).toEqual([
      'snapshot',
      'snapshot',
      'diagnostic',
      'diagnostic',
      'diagnostic',
      'diagnostic',
      'snapshot',
    ]);
    const decoded = roundTrip(read);
    expect(decoded).toEqual(withoutExtras(read));
    const learner = decoded?.[0];
    expect(learner?.kind === 'snapshot' && learner.snapshot.enterprise?.slug).toBeTruthy();
    expect(learner?.kind === 'snapshot' && learner.snapshot.username).toBeTruthy();
    const last = decoded?.[6];
    expect(last?.kind === 'snapshot' && last.problems.map((p) => p.reason)).toEqual([
      '"wt_str" is a string, not true/false: skipped',
      '"wt_num" is a number, not true/false: skipped',
    ]);
  });

  it('sends a fraction of the body', () => {
    const body = fixtureText('lms-enterprise-api-v1-enterprise-learner.json');
    const json = encodeResults(readCaptures([[NOW, env(body)]], PAGE));
    expect(json.length).toBeLessThan(body.length / 2);
  });

  it('keeps at most MAX_DIAGNOSTICS problems of one response, and the background accepts the batch', () => {
    const features = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`bad_${i}`, 'yes']));
    const read = readCaptures([[NOW, env(JSON.stringify({ enterprise_features: features }))]], PAGE);
    expect(read[0]?.kind === 'snapshot' && read[0].problems).toHaveLength(200);
    const decoded = roundTrip(read);
    expect(decoded?.[0]?.kind === 'snapshot' && decoded[0].problems).toHaveLength(MAX_DIAGNOSTICS);
  });

  it('carries the most keys a response may have, the longest URL, and a username cut to 300 characters', () => {
    const features = Object.fromEntries(Array.from({ length: MAX_FEATURE_KEYS }, (_, i) => [`k${i}`, i % 2 === 0]));
    const longUrl = LEARNER + '&q=' + 'é'.repeat(4000); // percent-encoded by the URL parser
    const body = JSON.stringify({
      enterprise_features: features,
      results: [{ active: true, user: { username: 'u'.repeat(1000) }, enterprise_customer: null }],
    });
    const read = readCaptures([[NOW, env(body, longUrl)]], PAGE);
    const decoded = roundTrip(read);
    expect(decoded).not.toBeNull();
    const s = decoded?.[0];
    expect(s?.kind === 'snapshot' && s.snapshot.flags).toHaveLength(MAX_FEATURE_KEYS);
    expect(s?.kind === 'snapshot' && s.snapshot.username).toBe('u'.repeat(300));
    expect(s?.kind === 'snapshot' && s.snapshot.url.length).toBeGreaterThan(8192);
  });
});

describe("while a DevTools panel watches the tab, each snapshot carries its body's size and features text", () => {
  const body = fixtureText('lms-enterprise-api-v1-enterprise-learner.json');
  const features = (JSON.parse(body) as { enterprise_features: Record<string, boolean> }).enterprise_features;
  const read = readCaptures(
    [
      [NOW, env(body)],
      [NOW + 1, env('<html></html>')],
    ],
    PAGE,
  );

  it('sends them only when asked: with no panel the wire is what it always was', () => {
    const plain = JSON.parse(encodeResults(read)) as unknown[][];
    expect(plain[0]).toHaveLength(10);
    expect(JSON.stringify(plain)).not.toContain('enterprise_learner_bff_enabled":');
    expect(decodeResults(encodeResults(read))?.[0]).not.toHaveProperty('detail');
  });

  it('the worker reads the size and the text as received, and the rest as without them', () => {
    const decoded = decodeResults(encodeResults(read, true));
    const first = decoded?.[0];
    expect(first?.kind === 'snapshot' && first.detail).toEqual({
      size: body.length,
      features: JSON.stringify(features),
      cut: false,
    });
    expect(decoded?.map((r) => (r.kind === 'snapshot' ? { ...r, detail: undefined } : r))).toEqual(
      withoutExtras(read).map((r) => (r.kind === 'snapshot' ? { ...r, detail: undefined } : r)),
    );
    // Values that are not true/false are in the text as received, though no flag was read from them.
    const odd = readCaptures([[NOW, env('{"enterprise_features": {"a": true, "b": "yes", "c": null}}')]], PAGE);
    const oddDecoded = decodeResults(encodeResults(odd, true))?.[0];
    expect(oddDecoded?.kind === 'snapshot' && oddDecoded.detail?.features).toBe('{"a":true,"b":"yes","c":null}');
  });

  it('cuts a long text at the cap and says so', () => {
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}_${'x'.repeat(60)}`, true]));
    const long = readCaptures([[NOW, env(JSON.stringify({ enterprise_features: many }))]], PAGE);
    const decoded = decodeResults(encodeResults(long, true))?.[0];
    const detail = decoded?.kind === 'snapshot' ? decoded.detail : undefined;
    expect(detail?.cut).toBe(true);
    expect(detail?.features).toHaveLength(FEATURES_TEXT_CAP);
    expect(JSON.stringify(many).startsWith(detail?.features ?? '-')).toBe(true);
  });

  const wire = JSON.parse(encodeResults(read, true)) as unknown[][];
  const withDetail = (detail: unknown) => JSON.stringify([[...wire[0]!.slice(0, 10), detail]]);
  it.each([
    ['a detail that is not a list', { size: 1 }],
    ['a detail with a field missing', [1, '{}']],
    ['a negative size', [-1, '{}', false]],
    ['a fractional size', [1.5, '{}', false]],
    ['a size over the body cap', [1_000_001, '{}', false]],
    ['a text that is not a string', [1, {}, false]],
    ['a text over the cap', [1, 'x'.repeat(FEATURES_TEXT_CAP + 1), true]],
    ['a cut text shorter than the cap', [1, '{"a":', true]],
    ['a whole text that is not JSON', [1, '{"a":', false]],
    ['a whole text that is not an object', [1, '[true]', false]],
    ['a cut mark that is not true/false', [1, '{}', 'no']],
  ])('keeps nothing of a batch with %s', (_name, detail) => {
    expect(decodeResults(withDetail(detail))).toBeNull();
    expect(decodeResults(withDetail([1, '{}', false]))).not.toBeNull();
  });
});

describe('a batch leaves out the snapshots a later one of it supersedes', () => {
  const features = (keys: string[], on = true) =>
    JSON.stringify({ enterprise_features: Object.fromEntries(keys.map((k) => [k, on])), bad: 1 });
  const withProblem = (keys: string[]) =>
    JSON.stringify({ enterprise_features: { ...Object.fromEntries(keys.map((k) => [k, true])), broken: 'yes' } });
  const items: [number, string][] = [
    [NOW + 1, env(features(['a', 'b']))],
    [NOW + 2, env(withProblem(['a', 'b']))], // supersedes the first; its problem stays
    [NOW + 3, env('<html></html>')],
    [NOW + 4, env(features(['a'], false), BFF, 'POST')], // reports less, and is the BFF's: supersedes nothing
    [NOW + 5, env(features(['a', 'b', 'c']))], // supersedes the LMS's snapshots before it, not the BFF's
    [NOW + 6, env(features(['z']))],
  ];

  it('sends fewer snapshots, and the background keeps the same state as with all of them', async () => {
    const all = readCaptures(items, PAGE);
    const fewer = withoutSuperseded(all);
    expect(all.filter((r) => r.kind === 'snapshot')).toHaveLength(5);
    expect(
      fewer.filter((r) => r.kind === 'snapshot').map((r) => r.kind === 'snapshot' && r.snapshot.capturedAt),
    ).toEqual([NOW + 4, NOW + 5, NOW + 6]);
    const states = [];
    for (const batch of [all, fewer]) {
      const store = new TabStore(new MemoryArea(), () => NOW);
      await store.pageStart(1, PAGE, { status: 'missing' }, NOW, 'doc-1234567');
      states.push(await store.record(1, decodeResults(encodeResults(batch)) ?? [], 'doc-1234567'));
    }
    expect(states[1]).toEqual(states[0]);
    expect(states[0]?.diagnostics.map((d) => d.reason)).toEqual([
      expect.stringMatching(/HTML page/),
      '"broken" is a string, not true/false: skipped',
    ]);
  });
});

describe('decodeResults trusts nothing', () => {
  const good = readCaptures([[NOW, env(fixtureText('lms-enterprise-api-v1-enterprise-learner.json'))]], PAGE);
  const wire = JSON.parse(encodeResults(good)) as unknown[][];
  const snapshot = wire[0]!;
  const withField = (i: number, value: unknown) => JSON.stringify([snapshot.map((v, j) => (j === i ? value : v))]);
  const diag = ['d', null, '', PAGE, NOW, 'a malformed capture event was ignored'];
  const diagWith = (i: number, value: unknown) => JSON.stringify([diag.map((v, j) => (j === i ? value : v))]);

  it('derives the flag names itself: the wire has no place for them', () => {
    const decoded = decodeResults(
      withField(6, [
        ['use_algolia_index_v2', true],
        ['not_a_known_key', false],
      ]),
    );
    expect(decoded?.[0]?.kind === 'snapshot' && decoded[0].snapshot.flags).toEqual([
      { key: 'use_algolia_index_v2', flag: 'enterprise.use_algolia_index_v2', on: true },
      { key: 'not_a_known_key', flag: null, on: false },
    ]);
    expect(decodeResults(withField(6, [['k', true, 'enterprise.forged']]))).toBeNull();
  });

  it('accepts the well-formed batch these cases are cut from', () => {
    expect(decodeResults(JSON.stringify(wire))).toEqual(withoutExtras(good));
    expect(decodeResults(JSON.stringify([diag]))).toEqual([
      {
        kind: 'diagnostic',
        diagnostic: { url: PAGE, method: '', source: null, at: NOW, reason: 'a malformed capture event was ignored' },
      },
    ]);
  });

  it.each([
    ['not a string', 42],
    ['not JSON', 'nope'],
    ['not an array', '{}'],
    ['empty', '[]'],
    ['too many results', JSON.stringify(Array.from({ length: MAX_RESULTS + 1 }, () => diag))],
    ['too long', 'x'.repeat(16_000_001)],
    ['an unknown kind', JSON.stringify([['x', ...diag.slice(1)]])],
    ['a result that is not an array', JSON.stringify([{ kind: 'snapshot' }])],
    ['a snapshot with a field missing', JSON.stringify([snapshot.slice(0, 9)])],
    ['a snapshot with a field too many', JSON.stringify([[...snapshot, 1]])],
    ['an unknown source', withField(1, 'toggle-state')],
    ['a source whose rule does not read the URL', withField(3, 'https://courses.edx.org/api/other/')],
    ['a source whose rule does not read the method', withField(2, 'POST')],
    ['a lower-case method', withField(2, 'get')],
    ['a non-HTTP URL', withField(3, 'javascript:alert(1)//enterprise/api/v1/enterprise-learner/')],
    ['a relative URL', withField(3, '/enterprise/api/v1/enterprise-learner/')],
    ['a status that gives no snapshot', withField(4, 500)],
    ['a fractional status', withField(4, 200.5)],
    ['a time that is not a number', withField(5, 'now')],
    ['no time (NaN becomes null in JSON)', withField(5, null)],
    ['flags that are not a list', withField(6, { k: true })],
    [
      'too many flags',
      withField(
        6,
        Array.from({ length: MAX_FEATURE_KEYS + 1 }, (_, i) => [`k${i}`, true]),
      ),
    ],
    ['a flag value that is not true/false', withField(6, [['k', 'true']])],
    ['an empty key', withField(6, [['', true]])],
    ['a key over 200 characters', withField(6, [['k'.repeat(201), true]])],
    ['an enterprise that is not one', withField(7, { name: 'x' })],
    ['a username that is not a string', withField(8, 7)],
    ['problems that are not strings', withField(9, [1])],
    [
      'too many problems',
      withField(
        9,
        Array.from({ length: MAX_DIAGNOSTICS + 1 }, () => 'p'),
      ),
    ],
    ['a problem over 300 characters', withField(9, ['p'.repeat(301)])],
    ['a diagnostic of an unknown source', diagWith(1, 'elsewhere')],
    ['a diagnostic with a bad method', diagWith(2, 'get me')],
    ['a diagnostic without a reason', diagWith(5, '')],
    ['a diagnostic with a reason over 300 characters', diagWith(5, 'r'.repeat(301))],
    ['a diagnostic without a time', diagWith(4, null)],
  ])('keeps nothing of a batch with %s', (_name, json) => {
    // The malformed result comes after a good one: the good one is not kept either.
    const batch =
      typeof json === 'string' && json.startsWith('[[')
        ? JSON.stringify([diag, ...(JSON.parse(json) as unknown[])])
        : json;
    expect(decodeResults(batch)).toBeNull();
  });
});

// `page/results` on the wire: the positional tuples `encodeResults` sends (src/core/results.ts) against
// the ordinary form, the same results as plain objects with named fields. The content script encodes on
// the page's main thread, and `runtime.sendMessage` then costs the sender per character (~15 ns each,
// docs/BENCHMARKS.md), so the page pays for both the encoding and the length; the worker pays for
// JSON.parse. Measured on two batches: what one portal page load sends (the learner endpoint and the
// BFF's dashboard, from test/fixtures/openedx), and one response of 500 flags (MAX_FEATURE_KEYS).
import { fixture, fixtureText } from '../test/fixtures';
import { encodeEnvelope } from '../src/core/envelope';
import { encodeResults, readCaptures, type CaptureResult } from '../src/core/results';
import { MAX_FEATURE_KEYS } from '../src/core/sources/rule';
import { spread, type Spread } from './stats';

const PAGE = 'https://enterprise.edx.org/test-enterprise';
const LEARNER = 'https://courses.edx.org/enterprise/api/v1/enterprise-learner/?username=alice&page=1';
const BFF = 'https://enterprise.edx.org/api/v1/bffs/learner/dashboard/';
/** What `runtime.sendMessage` costs its sender per character of the message (docs/BENCHMARKS.md, 7). */
const SEND_NS_PER_CHAR = 15;

/**
 * The ordinary form: each result as an object with the same fields as `encodeResults` sends. Its length
 * cuts are left out: no field of the batches measured here reaches one.
 */
function encodeAsObjects(results: readonly CaptureResult[]): string {
  return JSON.stringify(
    results.map((r) =>
      r.kind === 'diagnostic'
        ? { kind: 'diagnostic', diagnostic: r.diagnostic }
        : {
            kind: 'snapshot',
            source: r.snapshot.source,
            method: r.snapshot.method,
            url: r.snapshot.url,
            status: r.snapshot.status,
            capturedAt: r.snapshot.capturedAt,
            flags: r.snapshot.flags.map((f) => ({ key: f.key, on: f.on })),
            enterprise: r.snapshot.enterprise,
            username: r.snapshot.username,
            problems: r.problems.map((p) => p.reason),
          },
    ),
  );
}

function batches(): { name: string; results: CaptureResult[] }[] {
  const page = readCaptures(
    [
      [1, encodeEnvelope('GET', LEARNER, 200, '', fixtureText('lms-enterprise-api-v1-enterprise-learner.json'))],
      [2, encodeEnvelope('POST', BFF, 200, '', fixtureText('enterprise-access-api-v1-bffs-learner-dashboard.json'))],
    ],
    PAGE,
  );
  const features = Object.fromEntries(
    Array.from({ length: MAX_FEATURE_KEYS }, (_, i) => [
      `enterprise_feature_${String(i).padStart(3, '0')}`,
      i % 3 === 0,
    ]),
  );
  const learner = { ...fixture('lms-enterprise-api-v1-enterprise-learner.json'), enterprise_features: features };
  const large = readCaptures([[3, encodeEnvelope('GET', LEARNER, 200, '', JSON.stringify(learner))]], PAGE);
  if (large[0]?.kind !== 'snapshot' || large[0].snapshot.flags.length !== MAX_FEATURE_KEYS) {
    throw new Error(`the ${MAX_FEATURE_KEYS}-flag response was not read as ${MAX_FEATURE_KEYS} flags`);
  }
  if (page.filter((r) => r.kind === 'snapshot').length !== 2)
    throw new Error('the page load was not read as 2 snapshots');
  return [
    { name: 'a page load (learner + BFF dashboard)', results: page },
    { name: `one response of ${MAX_FEATURE_KEYS} flags`, results: large },
  ];
}

/** µs per call of `fn`: the median of `rounds` rounds, each timing enough calls to last ~20 ms. */
function timeUs(fn: () => unknown, rounds = 15): Spread {
  let calls = 1;
  for (let t = 0; t < 5; calls *= 2) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) fn();
    t = performance.now() - started;
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push(((performance.now() - started) * 1000) / calls);
  }
  return spread(samples);
}

export interface WireRow {
  batch: string;
  form: 'tuples' | 'objects';
  chars: number;
  encodeUs: number;
  sendUs: number;
  parseUs: number;
  /** What the page's main thread pays: encoding, then `runtime.sendMessage` for its length. */
  senderUs: number;
}

export function runWireBench({ log }: { log: (line: string) => void }): WireRow[] {
  const rows: WireRow[] = [];
  for (const { name, results } of batches()) {
    for (const [form, encode] of [
      ['tuples', (r: readonly CaptureResult[]) => encodeResults(r)],
      ['objects', encodeAsObjects],
    ] as const) {
      const json = encode(results);
      const encodeUs = timeUs(() => encode(results)).median;
      const parseUs = timeUs(() => JSON.parse(json)).median;
      const sendUs = (json.length * SEND_NS_PER_CHAR) / 1000;
      const row = { batch: name, form, chars: json.length, encodeUs, sendUs, parseUs, senderUs: encodeUs + sendUs };
      log(
        `wire: ${name}, ${form}: ${json.length} chars, encode ${encodeUs.toFixed(1)} µs, ` +
          `send ~${sendUs.toFixed(1)} µs, parse ${parseUs.toFixed(1)} µs`,
      );
      rows.push(row);
    }
  }
  return rows;
}

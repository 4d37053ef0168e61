import { describe, expect, it } from 'vitest';
import { DETAIL_CAP, detailProblem, encodeEnvelope, MAX_BATCH, parseEnvelope, readEnvelopeBatch } from './envelope';

const PAGE = 'https://enterprise.edx.org/test-enterprise';
const NOW = 1_700_000_000_000;

describe('page -> content script envelope', () => {
  it('round-trips, resolving relative URLs and keeping newlines in the body', () => {
    const body = '{"a":\n"b"}';
    const result = parseEnvelope(encodeEnvelope('POST', '/api/v1/bffs/learner/dashboard/', 200, '', body), PAGE, NOW);
    expect(result).toEqual({
      ok: true,
      response: {
        method: 'POST',
        url: 'https://enterprise.edx.org/api/v1/bffs/learner/dashboard/',
        status: 200,
        capturedAt: NOW,
        body,
        bodyNote: null,
      },
    });
  });

  it('carries a note instead of a body', () => {
    const result = parseEnvelope(encodeEnvelope('GET', 'https://x.org/a', 200, 'too big', null), PAGE, NOW);
    expect(result.ok && result.response.body).toBeNull();
    expect(result.ok && result.response.bodyNote).toBe('too big');
  });

  it('rejects forged or malformed events with a reason', () => {
    const bad: [unknown, RegExp][] = [
      [{ url: 'x' }, /without a text payload/],
      [null, /without a text payload/],
      ['x'.repeat(DETAIL_CAP + 1), /over the cap/],
      ['wi1\nGET\nhttps://x.org/', /malformed/],
      ['wi2\nGET\nhttps://x.org/\n200\n\n{}', /unknown version/],
      ['wi1\nget me\nhttps://x.org/\n200\n\n{}', /invalid method/],
      ['wi1\nGET\nhttp://[bad\n200\n\n{}', /invalid URL/],
      ['wi1\nGET\njavascript:alert(1)\n200\n\n{}', /non-HTTP/],
      ['wi1\nGET\nhttps://x.org/\n2000\n\n{}', /invalid status/],
      ['wi1\nGET\nhttps://x.org/\n1.5\n\n{}', /invalid status/],
      [`wi1\nGET\n${'x'.repeat(9000)}\n200\n\n{}`, /malformed/],
    ];
    for (const [detail, reason] of bad) {
      const result = parseEnvelope(detail, PAGE, NOW);
      expect(result.ok, String(detail).slice(0, 40)).toBe(false);
      expect(!result.ok && result.reason).toMatch(reason);
    }
  });

  it('the content script checks only type and size, with the same reasons', () => {
    expect(detailProblem(encodeEnvelope('GET', 'https://x.org/a', 200, '', '{}'))).toBeNull();
    expect(detailProblem('wi2 anything')).toBeNull(); // the background reads the rest
    expect(detailProblem(42)).toMatch(/without a text payload/);
    expect(detailProblem('x'.repeat(DETAIL_CAP + 1))).toMatch(/over the cap/);
  });
});

describe('content script -> background batch of envelopes', () => {
  const ok = (key: string) => encodeEnvelope('GET', '/enterprise/api/v1/enterprise-learner/', 200, '', `{"${key}":1}`);

  it('reads every detail with parseEnvelope, in order: responses, and the rest as diagnostics', () => {
    const json = JSON.stringify([
      [NOW + 1, ok('a')],
      [NOW + 2, 'wi1\nget me\nhttps://x.org/\n200\n\n{}'],
      ['soon', ok('b')],
      [NOW + 3, { forged: true }],
    ]);
    const batch = readEnvelopeBatch(json, PAGE, NOW);
    expect(batch?.responses.map((r) => [r.capturedAt, r.url, r.body])).toEqual([
      [NOW + 1, 'https://enterprise.edx.org/enterprise/api/v1/enterprise-learner/', '{"a":1}'],
      [NOW, 'https://enterprise.edx.org/enterprise/api/v1/enterprise-learner/', '{"b":1}'], // no valid time: now
    ]);
    expect(batch?.dropped.map((d) => [d.at, d.url, d.reason])).toEqual([
      [NOW + 2, PAGE, 'a capture event with an invalid method was ignored'],
      [NOW + 3, PAGE, 'a capture event without a text payload was ignored'],
    ]);
  });

  it('keeps nothing of a malformed batch', () => {
    for (const json of [
      42,
      'not json',
      '{}',
      '[]',
      JSON.stringify([[NOW, ok('a')], 'x']),
      JSON.stringify([[NOW, ok('a'), 'extra']]),
      JSON.stringify(Array.from({ length: MAX_BATCH + 1 }, () => [NOW, ok('a')])),
      'x'.repeat(2 * (4_000_000 + DETAIL_CAP) + 1),
    ]) {
      expect(readEnvelopeBatch(json, PAGE, NOW), String(json).slice(0, 40)).toBeNull();
    }
  });
});

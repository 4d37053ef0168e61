import { describe, expect, it } from 'vitest';
import { DETAIL_CAP, detailProblem, encodeEnvelope, parseEnvelope } from './envelope';

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
      url: new URL('https://enterprise.edx.org/api/v1/bffs/learner/dashboard/'),
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

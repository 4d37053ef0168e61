// Every learner BFF route (enterprise-access `api/v1/bffs/learner/<route>/`) carries the LMS's map.
import { describe, expect, it } from 'vitest';
import { fixture, fixtureText } from '../../../test/fixtures';
import { extract } from '../extract';
import { FLAG_NAMES } from '../flag-names';

const BFF = 'https://enterprise-access.edx.org';

describe('bffs/learner/<route>/', () => {
  for (const route of ['dashboard', 'search', 'academy', 'skills-quiz']) {
    it(`${route}: every key, and the customer the route answered for`, () => {
      const file = `enterprise-access-api-v1-bffs-learner-${route}.json`;
      const result = extract({
        method: 'POST',
        url: `${BFF}/api/v1/bffs/learner/${route}/`,
        status: 200,
        body: fixtureText(file),
        bodyNote: null,
        capturedAt: 1_700_000_000_000,
      });
      expect(result.kind).toBe('snapshot');
      if (result.kind !== 'snapshot') return;
      const features = fixture<{ enterprise_features: Record<string, boolean> }>(file).enterprise_features;
      expect(result.snapshot.source).toBe('bff-learner');
      expect(result.snapshot.flags).toEqual(
        Object.entries(features).map(([key, on]) => ({ key, on, flag: FLAG_NAMES[key] ?? null })),
      );
      expect(result.snapshot.enterprise?.slug).toBe('test-enterprise');
      expect(result.problems).toEqual([]);
    });
  }

  it('a BFF error answer (HTTP 4xx with errors[]) is a diagnostic, not flags', () => {
    const body = JSON.stringify({ errors: [{ developer_message: 'x', user_message: 'y' }], warnings: [] });
    const result = extract({
      method: 'POST',
      url: `${BFF}/api/v1/bffs/learner/search/`,
      status: 400,
      body,
      bodyNote: null,
      capturedAt: 1,
    });
    expect(result.kind === 'diagnostic' && result.diagnostic.reason).toMatch(/HTTP 400/);
  });
});

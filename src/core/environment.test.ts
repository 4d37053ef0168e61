import { expect, it } from 'vitest';
import { detectContext, featureParams, PRESETS } from './environment';

it('detects presets by exact portal origin', () => {
  const at = (url: string) => {
    const c = detectContext(url);
    return [c.environment?.id ?? null, c.portal];
  };
  expect(at('https://enterprise.edx.org/acme')).toEqual(['production', 'learner']);
  expect(at('https://portal.edx.org/acme/admin/learners')).toEqual(['production', 'admin']);
  expect(at('https://enterprise.stage.edx.org/acme')).toEqual(['stage', 'learner']);
  expect(at('https://portal.stage.edx.org/acme/admin/learners')).toEqual(['stage', 'admin']);
  expect(at('http://localhost:8734/test-enterprise')).toEqual(['devstack', 'learner']);
  expect(at('http://localhost:1991/test-enterprise/admin/learners')).toEqual(['devstack', 'admin']);
  expect(at('http://127.0.0.1:4321/x/admin/learners')).toEqual(['devstack', 'admin']);
  expect(at('https://example.com/')).toEqual([null, null]);
  expect(at('https://enterprise.edx.org.evil.com/')).toEqual([null, null]);
  expect(at('nonsense')).toEqual([null, null]);
  expect(PRESETS.find((p) => p.id === 'stage')?.jwtCookiePrefix).toBe('stage-');
});

it('custom environments come first', () => {
  const custom = {
    ...PRESETS[0]!,
    id: 'acme',
    label: 'Acme',
    preset: false,
    learnerPortals: ['https://learn.acme.org'],
    adminPortals: [],
  };
  expect(detectContext('https://learn.acme.org/x', [custom, ...PRESETS]).environment?.id).toBe('acme');
});

it('lists ?feature= overrides, repeated, deduplicated, capped', () => {
  expect(featureParams('https://enterprise.edx.org/x?feature=a&feature=b&feature=a&feature=&other=1')).toEqual([
    'a',
    'b',
  ]);
  expect(featureParams('https://enterprise.edx.org/x')).toEqual([]);
  expect(featureParams('::')).toEqual([]);
  expect(
    featureParams(`https://e.org/?${Array.from({ length: 60 }, (_, i) => `feature=f${i}`).join('&')}`),
  ).toHaveLength(50);
});

import { expect, it } from 'vitest';
import { fixture } from '../../test/fixtures';
import { FLAG_NAMES, flagNameFor, keyForFlag } from './flag-names';

it('the key -> flag table equals the recorded edx-enterprise-toggles-enterprise_features.json', () => {
  const { _about, ...table } = fixture<Record<string, string>>('edx-enterprise-toggles-enterprise_features.json');
  expect(_about).toBeTypeOf('string');
  expect(FLAG_NAMES).toEqual(table);
  const differing = Object.entries(table).filter(([key, flag]) => flag !== `enterprise.${key}`);
  expect(differing).toHaveLength(4);
});

it('looks up both ways, and unknown keys (even inherited names) give null', () => {
  expect(flagNameFor('enterprise_learner_bff_enabled')).toBe('enterprise.learner_bff_enabled');
  expect(keyForFlag('enterprise.learner_bff_enabled')).toBe('enterprise_learner_bff_enabled');
  expect(flagNameFor('toString')).toBeNull();
  expect(flagNameFor('__proto__')).toBeNull();
  expect(keyForFlag('enterprise.nope')).toBeNull();
});

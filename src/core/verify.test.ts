import { expect, it } from 'vitest';
import type { FlagSnapshot, TabState } from './types';
import { describeVerdict, verify, type Expectation } from './verify';

const snap = (flags: Record<string, boolean>): FlagSnapshot => ({
  source: 'enterprise-learner',
  method: 'GET',
  url: 'http://l/',
  status: 200,
  capturedAt: 50,
  flags: Object.entries(flags).map(([key, on]) => ({ key, on, flag: null })),
  enterprise: null,
  username: null,
});
const state = (startedAt: number, snapshots: FlagSnapshot[]): TabState => ({
  tabId: 1,
  origin: 'http://p',
  url: 'http://p/',
  identity: { status: 'missing' },
  featureParams: [],
  loads: [{ id: 'l', url: 'http://p/', startedAt, snapshots }],
  diagnostics: [],
});
// enterprise.learner_bff_enabled is behind the response key enterprise_learner_bff_enabled.
const exp: Expectation = { flag: 'enterprise.learner_bff_enabled', on: true, at: 100, action: 'enrolled' };

it('asks for a reload until a load started after the change', () => {
  expect(verify(exp, null).kind).toBe('reload');
  expect(verify(exp, state(99, [snap({ enterprise_learner_bff_enabled: true })])).kind).toBe('reload');
  expect(describeVerdict(exp, { kind: 'reload' })).toMatch(/^Enrolled\. Reload the tab/);
});

it('confirms or contradicts from the response key of the flag', () => {
  expect(verify(exp, state(101, [snap({ enterprise_learner_bff_enabled: true })]))).toEqual({
    kind: 'confirmed',
    key: 'enterprise_learner_bff_enabled',
    on: true,
  });
  const no = verify(exp, state(101, [snap({ enterprise_learner_bff_enabled: false })]));
  expect(no.kind).toBe('contradicted');
  expect(describeVerdict(exp, no)).toMatch(/still receives enterprise_learner_bff_enabled = off, not on.*BFF/);
});

it('waits for a capture, and says when the responses do not carry the flag', () => {
  expect(verify(exp, state(101, [])).kind).toBe('waiting');
  expect(verify(exp, state(101, [snap({ other: true })]))).toEqual({
    kind: 'absent',
    key: 'enterprise_learner_bff_enabled',
  });
  const unknown = { ...exp, flag: 'enterprise.not_in_table' };
  expect(describeVerdict(unknown, verify(unknown, state(101, [snap({ other: true })])))).toMatch(
    /no known response key/,
  );
});

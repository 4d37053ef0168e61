import { describe, expect, it } from 'vitest';
import { criteria, flagJson, flagsAnswer, rand } from '../../test/lms-answers';
import { compareFlags, differCount } from './comparison';

describe('their flags next to mine', () => {
  it('differences first (by name), then the rest; undecided against decided is a difference', () => {
    const n = (s: string) => `enterprise.${s}_${rand()}`;
    const [same, onlyThem, onlyMe, percent] = [n('a'), n('b'), n('c'), n('d')];
    const mine = flagsAnswer([
      flagJson(same, true),
      flagJson(onlyThem, false),
      flagJson(onlyMe, true, { criteria: criteria({ staff: true }) }),
      flagJson(percent, true, { criteria: criteria({ percent: 50 }) }),
    ]);
    const theirs = flagsAnswer([
      flagJson(percent, null, { criteria: criteria({ percent: 50 }) }),
      flagJson(onlyMe, false, { criteria: criteria({ staff: true }) }),
      flagJson(onlyThem, true),
      flagJson(same, true),
    ]);
    const c = compareFlags(mine, theirs);
    expect(c.differing).toBe(3);
    expect(c.rows.map((r) => [r.name, r.theirsValue, r.mineValue, r.differs])).toEqual([
      [onlyThem, 'on', 'off', true],
      [onlyMe, 'off', 'on', true],
      [percent, 'undecided', 'on', true],
      [same, 'on', 'on', false],
    ]);
  });

  it('a flag missing from one side is listed, not counted as a difference', () => {
    const c = compareFlags(flagsAnswer([flagJson('enterprise.x', true)]), flagsAnswer([]));
    expect(c.rows).toMatchObject([{ name: 'enterprise.x', theirs: null, theirsValue: null, differs: false }]);
    expect(c.differing).toBe(0);
  });

  it('says the count', () => {
    expect(differCount(0)).toBe('none differ');
    expect(differCount(1)).toBe('1 differs');
    expect(differCount(4)).toBe('4 differ');
  });
});

// Generators of hostile values for the message fuzz tests, drawn from the seeded generator
// (test/random.ts), so a failure replays with its printed seed.
import { pick, random, randomInt, randomToken } from '../random';

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\n',
  'a,b',
  '<img src=x onerror=alert(1)>',
  '__proto__',
  'constructor',
  'toString',
  '\u202e\u0645',
  '💥',
  'x'.repeat(101),
  'x'.repeat(255),
  'x'.repeat(2001),
];
const NASTY_NUMBERS = [0, -1, 1, 1.5, -0, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_VALUE, 1e-300];

export function arbitraryString(): string {
  return random() < 0.5 ? pick(NASTY_STRINGS) : randomToken(randomInt(0, 40));
}

/** Any structured-clonable value, as another context could send one: nested, odd keys, odd numbers. */
export function arbitraryValue(depth = 3): unknown {
  const choice = randomInt(0, depth > 0 ? 9 : 6);
  switch (choice) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return random() < 0.5;
    case 3:
      return pick(NASTY_NUMBERS);
    case 4:
    case 5:
      return arbitraryString();
    case 6:
      return Array.from({ length: randomInt(0, 4) }, () => arbitraryValue(depth - 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = randomInt(0, 5); i > 0; i--)
        out[random() < 0.2 ? pick(NASTY_STRINGS) : randomToken(4)] = arbitraryValue(depth - 1);
      return out;
    }
  }
}

/** A value close to `value`'s kind but likely out of bounds: the edge cases a check must get right. */
export function nearMiss(value: unknown): unknown {
  if (typeof value === 'number') return pick(NASTY_NUMBERS);
  if (typeof value === 'string') return pick(NASTY_STRINGS);
  if (Array.isArray(value)) {
    const copy: unknown[] = [...value];
    if (random() < 0.3) return Array.from({ length: 201 }, () => value[0] ?? 'x');
    copy[randomInt(0, copy.length + 1)] = random() < 0.5 ? pick(NASTY_STRINGS) : arbitraryValue(1);
    return copy;
  }
  return arbitraryValue(2);
}

/** `value` with one field replaced (often by a near miss), or removed, or an extra field added. */
export function mutate(value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...value };
  const keys = Object.keys(copy);
  const what = randomInt(0, 4);
  if (what <= 1 && keys.length > 0) {
    const key = pick(keys);
    copy[key] = what === 0 ? nearMiss(copy[key]) : arbitraryValue(2);
  } else if (what === 1 && keys.length > 0) delete copy[pick(keys)];
  else copy[randomToken(5)] = arbitraryValue(1);
  return copy;
}

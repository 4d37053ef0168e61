// Seeded randomness for tests. Each test draws from a generator seeded by the run's seed and the test's
// name (test/seed.setup.ts), so a failing test prints its seed and replays the same values with
// `TEST_SEED=<seed> npx vitest run <file>`, whatever other tests ran before it.
import { randomInt as cryptoRandomInt } from 'node:crypto';

function seedFromEnvironment(value: string | undefined): number {
  if (value === undefined || value === '') return cryptoRandomInt(0, 2 ** 31);
  const seed = Number(value);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`TEST_SEED must be a whole number ≥ 0, got ${value}`);
  return seed;
}

/** This run's seed: `$TEST_SEED`, or a new one per run. */
export const TEST_SEED = seedFromEnvironment(process.env['TEST_SEED']);

let state = 0;

/** FNV-1a of the text: the starting state for a label. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Starts the sequence for `label` (a test's full name) under this run's seed. */
export function reseed(label: string): void {
  state = hash(`${TEST_SEED}:${label}`);
}
reseed('');

/** A number in [0, 1), from mulberry32. */
export function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A whole number in [min, max). */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(random() * (max - min));
}

export function pick<T>(items: readonly T[]): T {
  return items[randomInt(0, items.length)]!;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` lowercase letters and digits. */
export function randomToken(length = 6): string {
  return Array.from({ length }, () => pick([...ALPHABET])).join('');
}

export function randomUuid(): string {
  const hex = Array.from({ length: 32 }, () => randomInt(0, 16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + randomInt(0, 4)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

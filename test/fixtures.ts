// The recorded Open edX responses the tests are built on, in test/fixtures/openedx/ (see its README.md for the
// endpoint and upstream serializer behind each file). The Python tests read the same files.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENEDX_FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'openedx');

export function fixtureText(name: string): string {
  return readFileSync(join(OPENEDX_FIXTURES_DIR, name), 'utf8');
}

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

// docs/ARCHITECTURE.md names a file for each step of the two flows: every path it names must exist, so
// the document cannot silently go stale when a file moves.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');

/** Every `code span` that looks like a repository path: starts with a top-level folder of the repo. */
function namedPaths(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return [...new Set(spans.filter((s) => /^(src|test|backend|scripts|bench|docs)\/[\w./-]*$/.test(s)))];
}

describe('docs/ARCHITECTURE.md', () => {
  it('names files for both flows', () => {
    const paths = namedPaths(DOC);
    expect(paths).toContain('src/page/interceptor.iife.ts');
    expect(paths).toContain('backend/waffle_enrollments/policy.py');
    expect(paths.length).toBeGreaterThan(30);
  });

  it('names only files and folders that exist', () => {
    expect(namedPaths(DOC).filter((p) => !existsSync(join(REPO_ROOT, p)))).toEqual([]);
  });

  it('the check finds a path that does not exist', () => {
    expect(namedPaths('see `src/core/backend.ts` and `src/core/messages.ts`')).toEqual([
      'src/core/backend.ts',
      'src/core/messages.ts',
    ]);
    expect(existsSync(join(REPO_ROOT, 'src/core/backend.ts'))).toBe(false);
  });
});

// The real devstack (Django + django-waffle on SQLite) for e2e tests: started on its fixed ports in a
// throw-away data folder, stopped after. Plus signing a browser in and out, and running Django
// management commands against the same database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { PYTHON, signIn, startDevstack, type Devstack } from '../../scripts/devstack.mjs';
import { REPO_ROOT } from '../fixtures';

export interface TestDevstack extends Devstack {
  /** Runs `django-admin <args>` with the devstack's settings and database; returns stdout. */
  manage(...args: string[]): string;
  /** Runs Python code in the devstack's Django (e.g. to move an enrollment's expiry into the past). */
  shell(code: string): string;
}

/** The devstack on its fixed ports, or on others (`{lms: 0, …}`: free ones, named in `urls`). */
export async function startTestDevstack(
  options: { ports?: Partial<Record<keyof Devstack['urls'], number>> } = {},
): Promise<TestDevstack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wi-devstack-'));
  const devstack = await startDevstack({ dataDir, reset: true, timeoutMs: 90_000, ports: options.ports ?? {} });
  const run = (args: string[]) => {
    const r = spawnSync(PYTHON, ['-m', 'django', ...args, '--settings', 'devstack.settings'], {
      cwd: join(REPO_ROOT, 'backend'),
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'backend'), WAFFLE_DEVSTACK_DATA_DIR: dataDir },
    });
    if (r.status !== 0) throw new Error(`django-admin ${args.join(' ')} failed:\n${r.stderr}`);
    return r.stdout;
  };
  return {
    ...devstack,
    manage: (...args) => run(args),
    shell: (code) => run(['shell', '-c', code]),
    stop: async () => {
      await devstack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs the browser in as `username` (all localhost ports share the cookies), replacing any session. */
export async function signInBrowser(browser: Browser, lms: string, username: string): Promise<void> {
  await signOutBrowser(browser);
  const { cookies } = await signIn(lms, username);
  await browser.setCookie(
    ...cookies.map((c) => ({
      name: c.name,
      value: c.value,
      domain: 'localhost',
      path: '/',
      httpOnly: c.httpOnly,
      sameSite: 'Lax' as const,
    })),
  );
}

export async function signOutBrowser(browser: Browser): Promise<void> {
  const cookies = await browser.cookies();
  if (cookies.length) await browser.deleteCookie(...cookies);
}

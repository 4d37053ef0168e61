// `npm run demo` is one of the README's two commands: prove it comes up from nothing (a fresh
// database), signs the staff user in through the LMS login form, and shows the popup with flags
// and enrollment controls (headless here, so it saves the screenshot it promises).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../fixtures';

it('npm run demo (headless, --once) builds, starts the devstack, signs in and shows the popup', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wi-demo-test-'));
  const shot = join(REPO_ROOT, 'artifacts', 'demo-popup.png');
  const before = existsSync(shot) ? statSync(shot).mtimeMs : 0;
  const child = spawn(process.execPath, ['scripts/demo.mjs', '--once', '--reset', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
  expect(code, output).toBe(0);
  expect(output).toContain('signing in as staff through http://localhost:18000/login');
  expect(output).toContain('learner portal   http://localhost:8734/test-enterprise');
  expect(output).toMatch(/password "edx"/);
  expect(statSync(shot).mtimeMs).toBeGreaterThan(before);
}, 180_000);

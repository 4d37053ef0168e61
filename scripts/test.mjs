#!/usr/bin/env node
// `npm test`: every tier, in order, each step's output as it runs, and a summary at the end.
//   node scripts/test.mjs                 all steps
//   node scripts/test.mjs unit e2e        only the named steps
// Exits non-zero if any step failed (later steps still run, so one run shows every failure).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const PYTHON = '/usr/bin/python3';
const PYTEST = [PYTHON, '-m', 'pytest', '-q', '-p', 'no:cacheprovider'];

/** Each step: a name, what it proves, and its commands ([cmd, args, cwd?]; cwd defaults to the step's). */
const STEPS = [
  {
    name: 'lint',
    what: 'eslint + prettier; black + flake8 on backend/ (backend/pyproject.toml, backend/setup.cfg)',
    cmds: [
      [bin('eslint'), ['.', '--max-warnings=0']],
      [bin('prettier'), ['--check', '.']],
      ['black', ['--check', '-q', '.'], join(root, 'backend')],
      ['flake8', ['.'], join(root, 'backend')],
    ],
  },
  { name: 'types', what: 'TypeScript strict', cmds: [[bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']]] },
  {
    name: 'unit',
    what: 'core rules on the fixtures, popup components',
    cmds: [[bin('vitest'), ['run', '--project', 'unit']]],
  },
  {
    name: 'backend',
    what: 'Django app + devstack (pytest-django, SQLite), then Studio (studio_tests/)',
    cmds: [PYTEST, [...PYTEST, '--ds=studio_tests.settings', 'studio_tests']].map(([cmd, ...args]) => [cmd, args]),
    cwd: join(root, 'backend'),
  },
  {
    name: 'mariadb',
    what: 'the same suite on throw-away MariaDB + memcached (two LMS processes too), then Studio (studio_tests/)',
    cmds: [
      ['sh', ['scripts/with-mariadb.sh', ...PYTEST]],
      ['sh', ['scripts/with-mariadb.sh', ...PYTEST, '--ds=studio_tests.settings', 'studio_tests']],
    ],
    cwd: join(root, 'backend'),
  },
  {
    name: 'build',
    what: 'production build: dist/ (Chromium) and dist-firefox/ (Firefox)',
    cmds: [[bin('vite'), ['build', '--logLevel', 'warn']]],
  },
  { name: 'e2e', what: 'built extension in real browsers', cmds: [[bin('vitest'), ['run', '--project', 'e2e']]] },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !STEPS.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown step(s): ${unknown.join(', ')}; steps are: ${STEPS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const steps = wanted.length ? STEPS.filter((s) => wanted.includes(s.name)) : STEPS;

/** Runs a command, showing its output as it comes, and returns its exit code and output. */
function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const color = process.env.CI
      ? { FORCE_COLOR: '0', NO_COLOR: '1' }
      : { FORCE_COLOR: process.env.FORCE_COLOR ?? '1' };
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...color } });
    let output = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      output += d;
    });
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      output += d;
    });
    child.on('error', (error) => {
      console.error(`could not run ${cmd}: ${error.message}`);
      resolve({ status: -1, output });
    });
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** Test counts from vitest's and pytest's closing lines. */
function counts(output) {
  // eslint-disable-next-line no-control-regex
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  let passed = 0;
  let failed = 0;
  for (const line of text.split('\n')) {
    const vitest = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
    const pytest = /^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s/.exec(line.trim());
    const summary = vitest?.[1] ?? pytest?.[1];
    if (!summary) continue;
    passed += Number(/(\d+) passed/.exec(summary)?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(summary)?.[1] ?? 0) + Number(/(\d+) errors?/.exec(summary)?.[1] ?? 0);
  }
  return { passed, failed };
}

const results = [];
const total = { passed: 0, failed: 0 };
for (const step of steps) {
  const started = Date.now();
  console.log(`\n=== ${step.name}: ${step.what}`);
  let ok = true;
  for (const [cmd, args, cwd] of step.cmds) {
    const r = await run(cmd, args, cwd ?? step.cwd ?? root);
    const c = counts(r.output);
    total.passed += c.passed;
    total.failed += c.failed;
    // pytest exits 5 when it collected no tests: that is a failure here, never a pass.
    if (r.status !== 0) {
      ok = false;
      break;
    }
  }
  results.push({ name: step.name, ok, seconds: (Date.now() - started) / 1000 });
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(8)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok);
console.log(
  failed.length
    ? `npm test: ${failed.length} step(s) failed: ${failed.map((r) => r.name).join(', ')}`
    : `npm test: all ${results.length} steps passed`,
);
// One plain closing line over every runner (vitest and pytest): CI reads it.
console.log(`tests: ${total.passed} passed, ${total.failed} failed`);
process.exit(failed.length ? 1 : 0);

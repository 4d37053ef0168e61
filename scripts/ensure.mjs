#!/usr/bin/env node
// Installs what this project needs and is missing, then gets out of the way.
// Uses nothing but Node's built-ins, so it runs on a fresh machine before `npm ci`.
//
//   node scripts/ensure.mjs --all        npm packages + every Debian package (what `npm test` needs)
//   node scripts/ensure.mjs --demo       npm packages + Chromium + the Python/Django packages
//   node scripts/ensure.mjs --devstack   npm packages + the Python/Django packages
//   node scripts/ensure.mjs --npm        npm packages only
//
// Each step is skipped when what it installs is already there, so a second run costs ~100 ms.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages by purpose. Python runs as /usr/bin/python3 with these, never from PyPI. */
export const APT_GROUPS = {
  python: [
    'python3-django',
    'python3-djangorestframework',
    'python3-django-waffle',
    'python3-django-cors-headers',
    'python3-jwt',
    'python3-pytest',
    'python3-pytest-django',
    'python3-hypothesis',
  ],
  lint: ['black', 'flake8'],
  chromium: ['chromium', 'fonts-dejavu-core'],
  firefox: ['firefox-esr'],
  mariadb: ['mariadb-server', 'mariadb-client', 'python3-mysqldb', 'memcached', 'python3-pymemcache'],
};

const PROFILES = {
  '--npm': [],
  '--devstack': ['python'],
  '--demo': ['python', 'chromium'],
  '--all': ['python', 'lint', 'chromium', 'firefox', 'mariadb'],
};

function log(message) {
  process.stderr.write(`[ensure] ${message}\n`);
}

function run(cmd, args, options = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw new Error(`could not run ${cmd}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
}

function lockHash() {
  const lock = join(root, 'package-lock.json');
  const pkg = readFileSync(join(root, 'package.json'));
  const hash = createHash('sha256').update(pkg);
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex');
}

function ensureNpm() {
  const stamp = join(root, 'node_modules', '.waffle-inspector-ensure');
  const want = lockHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  const env = { ...process.env, PUPPETEER_SKIP_DOWNLOAD: 'true', PUPPETEER_SKIP_CHROMIUM_DOWNLOAD: 'true' };
  const hasLock = existsSync(join(root, 'package-lock.json'));
  run('npm', [hasLock ? 'ci' : 'install', '--no-audit', '--no-fund'], { env });
  writeFileSync(stamp, lockHash());
}

function missingDebs(pkgs) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...pkgs], {
    encoding: 'utf8',
  });
  const installed = new Set(
    (result.stdout || '')
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0]),
  );
  return pkgs.filter((p) => !installed.has(p));
}

function ensureApt(groups) {
  const wanted = [...new Set(groups.flatMap((g) => APT_GROUPS[g]))];
  if (wanted.length === 0) return;
  const missing = missingDebs(wanted);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasSudo = spawnSync('sh', ['-c', 'command -v sudo'], { encoding: 'utf8' }).status === 0;
  if (!isRoot && !hasSudo) {
    throw new Error(
      `these Debian packages are missing and I am neither root nor able to sudo: ${missing.join(' ')}\n` +
        `Install them with: apt-get install ${missing.join(' ')}`,
    );
  }
  const prefix = isRoot ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing Debian packages: ${missing.join(' ')}`);
  const apt = (args) =>
    prefix.length ? run(prefix[0], [...prefix.slice(1), 'apt-get', ...args], { env }) : run('apt-get', args, { env });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  const still = missingDebs(wanted);
  if (still.length) throw new Error(`apt-get did not install: ${still.join(' ')}`);
}

function main(argv) {
  const flags = argv.filter((a) => a.startsWith('--'));
  const unknown = flags.filter((f) => !(f in PROFILES));
  if (unknown.length || flags.length === 0) {
    log(`usage: node scripts/ensure.mjs ${Object.keys(PROFILES).join('|')}`);
    process.exit(2);
  }
  const groups = flags.flatMap((f) => PROFILES[f]);
  try {
    ensureApt(groups);
    ensureNpm();
  } catch (error) {
    log(`set-up failed: ${error.message}`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

#!/usr/bin/env node
// The devstack: LMS stand-in (18000), enterprise-access/BFF stand-in (18270), learner portal (8734)
// and admin portal (1991), all on 127.0.0.1, with real Django + django-waffle on SQLite.
//
//   npm run devstack                          start (migrates and seeds on first start)
//   npm run devstack -- --reset               start afresh (deletes the database first)
//   node scripts/devstack.mjs --data-dir DIR  keep the database somewhere else (tests use a temp dir)
//   node scripts/devstack.mjs --ports 0       free ports picked by the system (tests), see the ready line
//
// Stays in the foreground; Ctrl-C / SIGTERM stops every server. Prints one machine-readable line
//   devstack:ready {"urls":{"lms":...,"bff":...,"learner":...,"admin":...},...}
// once all four answer. From Node (tests):
//   const ds = await startDevstack({ dataDir, reset: true }); ...; await ds.stop();
// Built-ins only.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const backend = join(root, 'backend');

export const PYTHON = process.env.WAFFLE_PYTHON || '/usr/bin/python3';
export const DEFAULT_PORTS = Object.freeze({ lms: 18000, bff: 18270, learner: 8734, admin: 1991 });
export const DEFAULT_DATA_DIR = join(backend, '.devstack-data');
export const PASSWORD = 'edx';
export const LOGINS = Object.freeze([
  { username: 'edx', role: 'superuser' },
  { username: 'staff', role: 'staff, the QA engineer (not a superuser)' },
  { username: 'support', role: 'staff allowed to enroll other users' },
  { username: 'learner', role: 'enterprise learner (test-enterprise)' },
  { username: 'learner2', role: 'second learner (both customers)' },
  { username: 'ent_admin', role: 'enterprise admin (test-enterprise)' },
]);
export const CUSTOMERS = Object.freeze(['test-enterprise', 'second-enterprise']);
const SERVICE_NAMES = { lms: 'LMS', bff: 'enterprise-access (BFF)', learner: 'learner portal', admin: 'admin portal' };

export class DevstackError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'DevstackError';
    this.details = details;
  }
}

/**
 * Start the devstack as a child process group.
 * @param {{dataDir?: string, reset?: boolean, ports?: Partial<typeof DEFAULT_PORTS>, timeoutMs?: number,
 *          onLog?: (line: string) => void}} [options]
 * @returns {Promise<{urls: {lms: string, bff: string, learner: string, admin: string}, dataDir: string,
 *          pid: number, stop: () => Promise<void>, exited: Promise<number|null>}>}
 */
export function startDevstack({
  dataDir = DEFAULT_DATA_DIR,
  reset = false,
  ports = {},
  timeoutMs = 120_000,
  onLog,
} = {}) {
  const wanted = { ...DEFAULT_PORTS, ...ports };
  const args = [
    '-m',
    'devstack.serve',
    '--data-dir',
    resolve(dataDir),
    '--lms-port',
    String(wanted.lms),
    '--bff-port',
    String(wanted.bff),
    '--learner-port',
    String(wanted.learner),
    '--admin-port',
    String(wanted.admin),
  ];
  if (reset) args.push('--reset');
  const child = spawn(PYTHON, args, {
    cwd: backend,
    // Own process group, so that stop() can signal everything it started at once.
    detached: true,
    // stdin stays open as a lifeline: the server exits when it closes (if this process dies).
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: backend },
  });
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit(code ?? signal)));
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const onProcessExit = () => killGroup('SIGKILL');
  process.once('exit', onProcessExit);

  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      child.stdin.destroy();
      process.removeListener('exit', onProcessExit);
    })();
    return stopping;
  };

  const lines = (stream, onLine) => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffer += chunk;
      let index;
      while ((index = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, index));
        buffer = buffer.slice(index + 1);
      }
    });
  };
  const stderrTail = [];
  lines(child.stderr, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
    onLog?.(line);
  });

  return new Promise((resolveStart, rejectStart) => {
    let settled = false;
    const fail = async (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      await stop();
      rejectStart(error);
    };
    const timer = setTimeout(
      () => fail(new DevstackError(`the devstack did not start within ${timeoutMs} ms\n${stderrTail.join('\n')}`)),
      timeoutMs,
    );
    child.once('error', (error) => fail(new DevstackError(`could not run ${PYTHON}: ${error.message}`)));
    exited.then((code) => {
      if (!settled)
        fail(new DevstackError(`the devstack exited (${code}) before it was ready\n${stderrTail.join('\n')}`));
    });
    lines(child.stdout, (line) => {
      if (line.startsWith('DEVSTACK_ERROR ')) {
        const details = JSON.parse(line.slice('DEVSTACK_ERROR '.length));
        const message =
          details.error === 'port_in_use'
            ? `port ${details.port} (${SERVICE_NAMES[details.service]}) is already in use: is another devstack running? ` +
              'Stop it or free the port.'
            : `the devstack could not start: ${details.message || details.error}`;
        fail(new DevstackError(message, details));
      } else if (line.startsWith('DEVSTACK_READY ') && !settled) {
        settled = true;
        clearTimeout(timer);
        const ready = JSON.parse(line.slice('DEVSTACK_READY '.length));
        resolveStart({ urls: ready.urls, dataDir: ready.data_dir, seeded: ready.seeded, pid: child.pid, stop, exited });
      } else if (line) {
        onLog?.(line);
      }
    });
  });
}

/**
 * Sign in as the LMS does (CSRF token, then POST login_session). Returns the cookies it set, e.g.
 * to load into a browser page; `cookieHeader` is ready for fetch().
 */
export async function signIn(lmsUrl, username, password = PASSWORD) {
  const jar = new Map();
  const keep = (response) => {
    for (const raw of response.headers.getSetCookie()) {
      const [pair, ...attributes] = raw.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const httpOnly = attributes.some((a) => a.toLowerCase() === 'httponly');
      if (value === '' || value === '""') jar.delete(name);
      else jar.set(name, { name, value, httpOnly, domain: 'localhost', path: '/' });
    }
  };
  const header = () => [...jar.values()].map((c) => `${c.name}=${c.value}`).join('; ');
  const tokenResponse = await fetch(`${lmsUrl}/csrf/api/v1/token`);
  keep(tokenResponse);
  const { csrfToken } = await tokenResponse.json();
  const response = await fetch(`${lmsUrl}/api/user/v2/account/login_session/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRFToken': csrfToken, Cookie: header() },
    body: new URLSearchParams({ email_or_username: username, password }),
  });
  keep(response);
  if (!response.ok)
    throw new DevstackError(`sign-in as ${username} failed: ${response.status} ${await response.text()}`);
  return { cookies: [...jar.values()], cookieHeader: header(), csrfToken: jar.get('csrftoken')?.value ?? csrfToken };
}

function parseArgs(argv) {
  const options = { dataDir: DEFAULT_DATA_DIR, reset: false, ports: {} };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new DevstackError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--reset') options.reset = true;
    else if (arg === '--data-dir') options.dataDir = value();
    else if (arg === '--ports') {
      const port = Number(value());
      options.ports = { lms: port, bff: port, learner: port, admin: port };
    } else if (/^--(lms|bff|learner|admin)-port$/.test(arg)) options.ports[arg.slice(2, -5)] = Number(value());
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new DevstackError(`unknown option ${arg} (try --help)`);
  }
  for (const [service, port] of Object.entries(options.ports)) {
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new DevstackError(`bad port for ${service}: ${port}`);
  }
  return options;
}

async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`[devstack] ${error.message}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(
      'usage: node scripts/devstack.mjs [--reset] [--data-dir DIR] [--ports 0 | --lms-port N --bff-port N ' +
        '--learner-port N --admin-port N]\n',
    );
    return;
  }
  const quiet = process.env.WAFFLE_DEVSTACK_QUIET === '1';
  let devstack;
  try {
    devstack = await startDevstack({
      ...options,
      onLog: quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`[devstack] ${error.message}\n`);
    process.exit(1);
  }
  const { urls } = devstack;
  const out = [
    '',
    `Waffle Inspector devstack is up (data: ${devstack.dataDir}${devstack.seeded ? ', freshly seeded' : ''})`,
    `  LMS                     ${urls.lms}   (sign in: ${urls.lms}/login, admin: ${urls.lms}/admin/)`,
    `  enrollment API          ${urls.lms}/api/waffle-enrollments/v1/flags/`,
    `  enterprise-access (BFF) ${urls.bff}`,
    ...CUSTOMERS.map((slug) => `  learner portal          ${urls.learner}/${slug}`),
    ...CUSTOMERS.map((slug) => `  admin portal            ${urls.admin}/${slug}/admin/learners`),
    '',
    `Logins (password "${PASSWORD}" for all):`,
    ...LOGINS.map(({ username, role }) => `  ${username.padEnd(10)} ${role}`),
    '',
    'Ctrl-C to stop.',
    `devstack:ready ${JSON.stringify({ urls, dataDir: devstack.dataDir, pid: devstack.pid })}`,
    '',
  ];
  process.stdout.write(out.join('\n'));

  let signalled = false;
  const shutdown = async (signal) => {
    if (signalled) return;
    signalled = true;
    process.stderr.write(`[devstack] ${signal}: stopping\n`);
    await devstack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  const code = await devstack.exited;
  if (!signalled) {
    process.stderr.write(`[devstack] the servers stopped unexpectedly (${code})\n`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}

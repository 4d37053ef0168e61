#!/usr/bin/env node
// `npm run demo`: the devstack (LMS stand-in on SQLite, BFF, both portals), the extension built into
// dist/, and Chromium with it loaded, signed in as the staff QA user on the learner portal.
// Headed when there is a display; otherwise headless, saving a screenshot of the popup and saying
// where to point a browser. Runs until Ctrl-C / SIGTERM, then stops everything it started.
//
//   node scripts/demo.mjs [--reset] [--data-dir DIR] [--user staff] [--once]
//   --once: exit after the popup screenshot (used by the test of this script)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATA_DIR, LOGINS, PASSWORD, startDevstack } from './devstack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const log = (message) => process.stdout.write(`[demo] ${message}\n`);

function parseArgs(argv) {
  const options = { reset: false, dataDir: DEFAULT_DATA_DIR, user: 'staff', once: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--reset') options.reset = true;
    else if (arg === '--once') options.once = true;
    else if (arg === '--data-dir') options.dataDir = argv[++i];
    else if (arg === '--user') options.user = argv[++i];
    else
      throw new Error(
        `unknown option ${arg}; usage: node scripts/demo.mjs [--reset] [--data-dir DIR] [--user NAME] [--once]`,
      );
  }
  if (!LOGINS.some((l) => l.username === options.user)) {
    throw new Error(`--user must be one of ${LOGINS.map((l) => l.username).join(', ')}`);
  }
  return options;
}

function build() {
  log('building the extension into dist/ …');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('the extension did not build (see above)');
}

async function signInThroughTheForm(page, lms, username, next) {
  await page.goto(`${lms}/login?next=${encodeURIComponent(next)}`);
  await page.type('[data-testid="login-username"]', username);
  await page.type('[data-testid="login-password"]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('[data-testid="login-submit"]')]);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  build();
  const devstack = await startDevstack({ dataDir: options.dataDir, reset: options.reset });
  const { urls } = devstack;
  const portal = `${urls.learner}/test-enterprise`;
  const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && !options.once;
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'wi-demo-'));
  const args = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  let browser;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await devstack.stop();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: !headed,
      pipe: true,
      enableExtensions: [join(root, 'dist')],
      userDataDir: profile,
      defaultViewport: null,
      args,
    });
    await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'));
    const extension = [...(await browser.extensions()).values()].find((e) => e.name === 'Waffle Inspector');
    if (!extension) throw new Error('Chromium did not load the extension from dist/');
    const [page] = await browser.pages();
    const tab = page ?? (await browser.newPage());
    log(`signing in as ${options.user} through ${urls.lms}/login …`);
    await signInThroughTheForm(tab, urls.lms, options.user, portal);
    if (!tab.url().startsWith(portal)) await tab.goto(portal);
    await tab.waitForSelector('[data-testid="feature"]', { timeout: 15_000 });

    const out = join(root, 'artifacts');
    mkdirSync(out, { recursive: true });
    const popupUrl = `chrome-extension://${extension.id}/src/popup/index.html`;
    if (headed) {
      await tab.triggerExtensionAction(extension).catch(() => undefined);
      log('Chromium is open on the learner portal with the popup; click the waffle icon any time.');
    } else {
      // No display: open the popup page in a tab bound to the portal tab, and keep a screenshot.
      const popup = await browser.newPage();
      await popup.setViewport({ width: 420, height: 900 });
      await popup.goto(popupUrl);
      const tabId = await popup.evaluate(
        `(async () => (await chrome.tabs.query({ url: ${JSON.stringify(`${urls.learner}/*`)} }))[0]?.id ?? -1)()`,
      );
      await popup.goto(`${popupUrl}?tabId=${tabId}`);
      await popup.waitForSelector('[data-testid="flag-row"]', { timeout: 15_000 });
      await popup.waitForFunction(() => !document.querySelector('[data-testid="backend-loading"]'), {
        timeout: 15_000,
      });
      const shot = join(out, 'demo-popup.png');
      await popup.screenshot({ path: shot, fullPage: true });
      log(`no display: Chromium runs headless. The popup as ${options.user} sees it: ${shot}`);
    }
    process.stdout.write(
      [
        '',
        'Waffle Inspector demo is running.',
        `  learner portal   ${portal}`,
        `  admin portal     ${urls.admin}/test-enterprise/admin/learners`,
        `  LMS sign-in      ${urls.lms}/login   (users: ${LOGINS.map((l) => l.username).join(', ')}; password "${PASSWORD}")`,
        `  extension        ${join(root, 'dist')}  (chrome://extensions -> Developer mode -> Load unpacked)`,
        '',
        'To use your own browser: load dist/ as an unpacked extension, sign in at the LMS, open a portal,',
        'and click the waffle icon. Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    if (options.once) {
      await stop();
      return;
    }
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      browser.once('disconnected', resolve);
    });
    log('stopping …');
    await stop();
  } catch (error) {
    await stop();
    throw error;
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`[demo] ${error.message}\n`);
    process.exit(1);
  },
);

// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { extract } from '../core/extract';
import { describeIdentityProblem } from '../core/identity';
import type { FlagSnapshot, TabState } from '../core/types';
import { App, roleChipsThatFit } from './App';
import { FIRST_ROWS, type PopupActions, type PopupView } from './model';
import {
  diagnostic,
  FLAG_NAMES,
  identity,
  KNOWN_KEYS,
  load,
  ORIGIN,
  pick,
  randomFeatures,
  randomId,
  snapshot,
  SOURCES,
  tabState,
} from '../../test/popup-data';
import { random, randomInt, randomUuid } from '../../test/random';

afterEach(cleanup);

const NOW = Date.now();

function actions(
  overrides: Partial<PopupActions> = {},
): PopupActions & { reload: ReturnType<typeof vi.fn>; copyReport: ReturnType<typeof vi.fn> } {
  return {
    reload: vi.fn(async () => undefined),
    copyReport: vi.fn(async (_markdown: string) => undefined),
    ...overrides,
  } as PopupActions & { reload: ReturnType<typeof vi.fn>; copyReport: ReturnType<typeof vi.fn> };
}

function ready(state: TabState | null, tabUrl: string | null = state?.url ?? `${ORIGIN}/test-enterprise`): PopupView {
  return { status: 'ready', tabId: state?.tabId ?? 7, tabUrl, state };
}

function show(view: PopupView, acts: PopupActions = actions()) {
  return render(<App view={view} actions={acts} now={() => NOW} />);
}

/** A state with one load of one enterprise-learner response with random values. */
function oneLoad(features = randomFeatures(), extra: Partial<TabState> = {}) {
  const capturedAt = NOW - randomInt(0, 3_600_000);
  const snap = snapshot(SOURCES.learner, { features, capturedAt });
  return { features, snap, state: tabState({ loads: [load([snap])], ...extra }) };
}

function rows() {
  return screen.queryAllByTestId('flag-row');
}

/** Opens a row in place, as a click on its key does. */
function expand(row: HTMLElement) {
  fireEvent.click(within(row).getByTestId('flag-toggle'));
}

function keysShown(): string[] {
  return rows().map((r) => r.getAttribute('data-key') ?? '');
}

describe('App: flags', () => {
  it('lists every flag, on first, with key, Waffle flag name, source and capture time', () => {
    const { features, snap, state } = oneLoad();
    show(ready(state));
    const shown = rows();
    expect(shown).toHaveLength(KNOWN_KEYS.length);
    const on = shown.map((r) => r.getAttribute('data-on') === 'true');
    const firstOff = on.indexOf(false);
    expect(on.slice(firstOff).every((v) => !v)).toBe(true);
    expect(on.filter(Boolean)).toHaveLength(Object.values(features).filter(Boolean).length);
    for (const row of shown) {
      const key = row.getAttribute('data-key') ?? '';
      expect(String(features[key])).toBe(row.getAttribute('data-on'));
      const r = within(row);
      expect(r.getByTestId('flag-key').textContent).toBe(key);
      // At rest one line: the Waffle name is in the key's tooltip; the rest appears when the row opens.
      expect(r.getByTestId('flag-toggle').getAttribute('title')).toContain(`Waffle flag: ${FLAG_NAMES[key]}`);
      expect(r.getByTestId('flag-toggle').getAttribute('aria-expanded')).toBe('false');
      expect(r.queryByTestId('flag-details')).toBeNull();
      expand(row);
      expect(r.getByTestId('flag-toggle').getAttribute('aria-expanded')).toBe('true');
      expect(r.getByTestId('flag-name').textContent).toBe(FLAG_NAMES[key]);
      expect(r.getByTestId('flag-state').textContent).toBe(features[key] ? 'on' : 'off');
      expect(r.getByTestId('flag-source').textContent).toBe('LMS · enterprise-learner');
      expect(r.getByTestId('flag-source').getAttribute('title')).toBe('/enterprise/api/v1/enterprise-learner/');
      expect(r.getByTestId('flag-captured').getAttribute('datetime')).toBe(new Date(snap.capturedAt).toISOString());
      expect(r.queryByTestId('flag-changed')).toBeNull();
    }
    const onCount = Object.values(features).filter(Boolean).length;
    expect(screen.getByTestId('flag-count').textContent).toBe(`${onCount} of ${KNOWN_KEYS.length} on`);
  });

  it('lists every flag of a tab with many: the first screenful at once, the rest right after', () => {
    const keys = Array.from({ length: FIRST_ROWS * 3 }, (_, i) => `enterprise_many_${String(i).padStart(3, '0')}`);
    const features = randomFeatures(keys);
    const state = tabState({ loads: [load([snapshot(SOURCES.learner, { features })])] });
    show(ready(state)); // render() runs the effects, as the browser does after the first paint
    expect(keysShown().sort()).toEqual([...keys].sort());
    // Every row may be skipped while out of view again (content-visibility), the first ones too.
    expect(screen.getByRole('list', { name: /Flags the portal received/ }).className).toBe('flag-list');
    expect(screen.getAllByTestId('flag-toggle')[0]?.getAttribute('elementtiming')).toBe('first-flag');
    fireEvent.input(screen.getByTestId('filter'), { target: { value: keys[keys.length - 1] } });
    expect(keysShown()).toEqual([keys[keys.length - 1]]);
  });

  it('shows the latest value of a key and the source it came from', () => {
    const key = pick(KNOWN_KEYS);
    const early = snapshot(SOURCES.learner, { features: { [key]: false }, capturedAt: NOW - 20_000 });
    const late = snapshot(SOURCES.bff, { features: { [key]: true }, capturedAt: NOW - 10_000 });
    show(ready(tabState({ loads: [load([late, early])] })));
    const row = screen.getByTestId('flag-row');
    expect(row.getAttribute('data-on')).toBe('true');
    // The two sources disagreed: the row says so at rest, and shows both values with their times open.
    expect(within(row).getByTestId('flag-differs').getAttribute('title')).toBe(
      'Sources differ: LMS (enterprise-learner) said off, BFF (BFF learner) said on',
    );
    expand(row);
    const values = within(row).getAllByTestId('flag-source-value');
    expect(values.map((v) => [v.getAttribute('data-source'), v.getAttribute('data-on')])).toEqual([
      ['enterprise-learner', 'false'],
      ['bff-learner', 'true'],
    ]);
    const sources = within(row).getAllByTestId('flag-source');
    expect(sources.map((e) => e.textContent)).toEqual(['LMS · enterprise-learner', 'BFF · BFF learner']);
    expect(sources[1]!.getAttribute('title')).toBe('/api/v1/bffs/learner/dashboard/');
    const times = within(row).getAllByTestId('flag-captured');
    expect(times.map((t) => t.getAttribute('datetime'))).toEqual([
      new Date(NOW - 20_000).toISOString(),
      new Date(NOW - 10_000).toISOString(),
    ]);
    expect(within(row).getByTestId('differs-note').textContent).toMatch(/BFF asks the LMS with only your token/);
  });

  it('a flag both sources agree on is not marked as differing', () => {
    const key = pick(KNOWN_KEYS);
    const on = random() < 0.5;
    const early = snapshot(SOURCES.learner, { features: { [key]: on }, capturedAt: NOW - 20_000 });
    const late = snapshot(SOURCES.bff, { features: { [key]: on }, capturedAt: NOW - 10_000 });
    show(ready(tabState({ loads: [load([late, early])] })));
    const row = screen.getByTestId('flag-row');
    expect(row.getAttribute('data-differs')).toBeNull();
    expect(within(row).queryByTestId('flag-differs')).toBeNull();
    expand(row);
    expect(within(row).getAllByTestId('flag-source-value')).toHaveLength(2);
    expect(within(row).queryByTestId('differs-note')).toBeNull();
  });

  it('marks a key the extension does not know as "unknown key"', () => {
    const unknown = randomId('brand_new_feature_');
    const features = { ...randomFeatures(), [unknown]: random() < 0.5 };
    const { state } = oneLoad(features);
    show(ready(state));
    const row = rows().find((r) => r.getAttribute('data-key') === unknown);
    expect(row).toBeDefined();
    expect(within(row!).getByTestId('flag-unknown').textContent).toBe('unknown key');
    expect(within(row!).queryByTestId('flag-name')).toBeNull();
    expect(screen.getAllByTestId('flag-unknown')).toHaveLength(1);
  });

  it('the filter has the focus on open, narrows by key or by flag name, and Escape clears it', () => {
    const { state } = oneLoad();
    show(ready(state));
    const filter = screen.getByTestId('filter') as HTMLInputElement;
    expect(document.activeElement).toBe(filter);

    const key = pick(KNOWN_KEYS);
    fireEvent.input(filter, { target: { value: key.toUpperCase() } });
    expect(keysShown()).toContain(key);
    expect(keysShown().every((k) => k.includes(key) || FLAG_NAMES[k]!.includes(key))).toBe(true);
    expect(screen.getByTestId('flag-count').textContent).toContain(`${rows().length} shown`);

    // Keys whose Waffle flag name is not the key: found by the flag name alone.
    const renamed = KNOWN_KEYS.filter((k) => !FLAG_NAMES[k]!.endsWith(`.${k}`));
    expect(renamed.length).toBeGreaterThan(0);
    const target = pick(renamed);
    fireEvent.input(filter, { target: { value: FLAG_NAMES[target] } });
    expect(keysShown()).toEqual([target]);

    fireEvent.input(filter, { target: { value: randomId('nothing-like-this-') } });
    expect(rows()).toHaveLength(0);
    expect(screen.getByTestId('no-match')).toBeTruthy();

    fireEvent.keyDown(filter, { key: 'Escape' });
    expect(filter.value).toBe('');
    expect(rows()).toHaveLength(KNOWN_KEYS.length);
  });

  it('"/" brings the focus back to the filter', () => {
    const { state } = oneLoad();
    show(ready(state));
    const copy = screen.getByTestId('copy-report');
    copy.focus();
    expect(document.activeElement).toBe(copy);
    fireEvent.keyDown(copy, { key: '/' });
    expect(document.activeElement).toBe(screen.getByTestId('filter'));
  });

  it('buttons are real buttons and the list is a labelled list', () => {
    const { state } = oneLoad();
    show(ready(state));
    for (const id of ['copy-report', 'reload']) {
      const el = screen.getByTestId(id);
      expect(el.tagName).toBe('BUTTON');
      expect(el.getAttribute('type')).toBe('button');
    }
    const list = screen.getByRole('list', { name: /flags/i });
    expect(within(list).getAllByRole('listitem')).toHaveLength(KNOWN_KEYS.length);
  });

  it('marks what changed since the previous load, new keys, and keys that vanished', () => {
    const keys = [...KNOWN_KEYS];
    const gone = keys.splice(randomInt(0, keys.length), 1)[0]!;
    const added = randomId('added_');
    const before = randomFeatures([...keys, gone]);
    const flipped = new Set(keys.filter(() => random() < 0.4));
    flipped.add(pick(keys));
    const after: Record<string, boolean> = { [added]: true };
    for (const k of keys) after[k] = flipped.has(k) ? !before[k] : before[k]!;

    const prev = load([snapshot(SOURCES.learner, { features: before, capturedAt: NOW - 120_000 })]);
    const empty = load([], NOW - 60_000); // a load that captured nothing is skipped when comparing
    const cur = load([snapshot(SOURCES.learner, { features: after, capturedAt: NOW - 5_000 })]);
    show(ready(tabState({ loads: [cur, empty, prev] })));

    const marked = screen
      .getAllByTestId('flag-changed')
      .map((m) => m.closest('[data-testid="flag-row"]')!.getAttribute('data-key'));
    expect(new Set(marked)).toEqual(new Set([...flipped, added]));
    for (const k of flipped) {
      const row = rows().find((r) => r.getAttribute('data-key') === k)!;
      expect(within(row).getByTestId('flag-changed').textContent).toBe(before[k] ? 'was on' : 'was off');
    }
    const addedRow = rows().find((r) => r.getAttribute('data-key') === added)!;
    expect(within(addedRow).getByTestId('flag-changed').textContent).toBe('new');
    expect(screen.getAllByTestId('vanished-key').map((e) => e.textContent)).toEqual([gone]);
  });

  it('shows no changed marks when there is no previous load to compare with', () => {
    const { state } = oneLoad();
    show(ready(state));
    expect(screen.queryAllByTestId('flag-changed')).toHaveLength(0);
    expect(screen.queryByTestId('vanished')).toBeNull();
  });

  it('lists ?feature= parameters apart, as front-end-only overrides', () => {
    const fromLoad = [randomId('feat_'), pick(KNOWN_KEYS)];
    const fromUrlNow = randomId('later_');
    const { state, features } = oneLoad(randomFeatures(), { featureParams: fromLoad });
    const url = `${ORIGIN}/test-enterprise?feature=${fromLoad[0]}&feature=${fromUrlNow}`;
    show(ready(state, url));
    const section = screen.getByTestId('feature-params');
    const listed = within(section).getAllByTestId('feature-param');
    expect(listed.map((li) => li.querySelector('code')?.textContent)).toEqual([...fromLoad, fromUrlNow]);
    expect(section.textContent).toMatch(/backend never sees/);
    expect(listed[1]!.textContent).toContain(`the backend says: ${features[fromLoad[1]!] ? 'on' : 'off'}`);
    expect(section.closest('#flag-list')).toBeNull();
    expect(rows()).toHaveLength(KNOWN_KEYS.length);
    expect(keysShown()).not.toContain(fromLoad[0]);
  });

  it('has no feature-params section without ?feature= parameters', () => {
    const { state } = oneLoad();
    show(ready(state));
    expect(screen.queryByTestId('feature-params')).toBeNull();
  });
});

describe('App: header', () => {
  it('shows the environment, the identity with badges and roles, and the latest enterprise', () => {
    const username = randomId('qa-');
    const enterpriseName = `Customer ${randomId()}`;
    const uuid = randomUuid();
    const older = snapshot(SOURCES.learner, { capturedAt: NOW - 30_000 });
    const newer = snapshot(SOURCES.bff, {
      capturedAt: NOW - 10_000,
      edit: (b) => {
        b['enterprise_customer'] = { uuid, name: enterpriseName, slug: 'second-enterprise' };
      },
    });
    const state = tabState({
      identity: identity({
        preferred_username: username,
        roles: ['enterprise_learner', `enterprise_admin:${uuid}`, 'enterprise_openedx_operator:*'],
      }),
      loads: [load([older, newer])],
    });
    show(ready(state, `http://localhost:1991/second-enterprise/admin/learners`));
    expect(screen.getByTestId('environment').textContent).toBe('Devstack · admin');
    expect(screen.getByTestId('environment').getAttribute('title')).toBe('Devstack · admin portal · localhost:1991');
    const who = screen.getByTestId('identity');
    expect(within(who).getByTestId('username').textContent).toBe(username);
    expect(within(who).getByTestId('username').getAttribute('title')).toBe(`${username}\nqa-staff@example.com`);
    expect(within(who).getByTestId('badge-staff')).toBeTruthy();
    expect(within(who).queryByTestId('badge-superuser')).toBeNull();
    // The user's line has room for two role chips, and how many more (in its tooltip).
    expect(
      within(who)
        .getAllByTestId('role')
        .map((r) => [r.textContent, r.getAttribute('title')]),
    ).toEqual([
      ['learner *', 'enterprise_learner for all customers'],
      ['admin', 'enterprise_admin for this customer'],
    ]);
    expect(within(who).getByTestId('roles-more').textContent).toBe('+1');
    expect(within(who).getByTestId('roles-more').getAttribute('title')).toBe(
      'enterprise_openedx_operator for all customers',
    );
    const ent = screen.getByTestId('enterprise');
    expect(within(ent).getByTestId('enterprise-name').textContent).toBe(enterpriseName);
    expect(within(ent).getByTestId('enterprise-name').getAttribute('title')).toBe(
      `${enterpriseName}\nsecond-enterprise\n${uuid}`,
    );
    // Two lines at rest; the rest behind the environment chip.
    expect(screen.queryByTestId('header-details')).toBeNull();
    fireEvent.click(screen.getByTestId('environment'));
    expect(screen.getByTestId('environment').getAttribute('aria-expanded')).toBe('true');
    const details = screen.getByTestId('header-details');
    expect(within(details).getByTestId('email').textContent).toBe('qa-staff@example.com');
    expect(within(details).getByTestId('enterprise-slug').textContent).toBe('second-enterprise');
    expect(within(details).getByTestId('enterprise-uuid').textContent).toBe(uuid);
    expect(within(details).getByTestId('environment-text').textContent).toBe(
      'Devstack · admin portal · localhost:1991',
    );
    expect(
      within(within(details).getByTestId('roles-all'))
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'enterprise_learner for all customers',
      'enterprise_admin for this customer',
      'enterprise_openedx_operator for all customers',
    ]);
    fireEvent.click(screen.getByTestId('environment'));
    expect(screen.queryByTestId('header-details')).toBeNull();
  });

  it('puts as many role chips on the user line as fit, then "+N"', () => {
    const roles = ['admin', 'openedx operator *', 'learner', 'catalog admin'];
    expect(roleChipsThatFit('qa', ['staff'], roles)).toBe(3);
    expect(roleChipsThatFit('alexandra.okonkwo-vanderberg', ['staff'], roles)).toBe(1);
    expect(roleChipsThatFit('alexandra.okonkwo-vanderberg', ['superuser', 'staff', 'token expired'], roles)).toBe(0);
    expect(roleChipsThatFit('qa', [], ['admin'])).toBe(1);
  });

  it('shows role chips for this customer first', () => {
    const uuid = randomUuid();
    const other = randomUuid();
    const withRoles = (roles: string[]) =>
      tabState({
        identity: identity({ roles }),
        loads: [
          load([
            snapshot(SOURCES.bff, {
              edit: (b) => {
                b['enterprise_customer'] = { uuid, name: 'Acme', slug: 'acme' };
              },
            }),
          ]),
        ],
      });
    show(ready(withRoles([`enterprise_learner:${other}`, `enterprise_admin:${uuid}`])));
    expect(screen.getAllByTestId('role').map((r) => r.textContent)).toEqual(['admin', 'learner']);
    expect(screen.queryByTestId('roles-more')).toBeNull();
    expect(screen.getAllByTestId('role')[1]?.getAttribute('title')).toBe(`enterprise_learner for customer ${other}`);
  });
  it('finds the enterprise in an earlier load when the current one names none', () => {
    const noCustomer = snapshot(SOURCES.learner, { edit: (b) => (b['results'] = []) });
    expect(noCustomer.enterprise).toBeNull();
    const withCustomer = snapshot(SOURCES.dashboardList, { capturedAt: NOW - 100_000 });
    show(ready(tabState({ loads: [load([noCustomer]), load([withCustomer])] })));
    expect(screen.getByTestId('enterprise-name').textContent).toBe(withCustomer.enterprise!.name);
  });

  it('names the environment of production and stage portals, and other hosts', () => {
    show(ready(null, 'https://portal.stage.edx.org/test-enterprise/admin/learners'));
    expect(screen.getByTestId('environment').textContent).toBe('Stage · admin');
    expect(screen.getByTestId('environment').getAttribute('title')).toBe('Stage · admin portal · portal.stage.edx.org');
    cleanup();
    show(ready(null, 'https://enterprise.edx.org/x'));
    expect(screen.getByTestId('environment').textContent).toBe('Production · learner');
    expect(screen.getByTestId('environment').getAttribute('title')).toBe(
      'Production · learner portal · enterprise.edx.org',
    );
    cleanup();
    const host = `${randomId()}.example.org`;
    show(ready(null, `https://${host}/`));
    expect(screen.getByTestId('environment').textContent).toBe(`Other host · ${host}`);
  });
});

describe('App: which LMS', () => {
  it("names the LMS the page itself called, or the environment's while the page has called none", () => {
    const port = randomInt(20000, 50000);
    const lms = `http://localhost:${port}`;
    const learner = { ...SOURCES.learner, url: SOURCES.learner.url.replace(/^http:\/\/localhost:\d+/, lms) };
    const portalUrl = `http://localhost:${port + 1}/test-enterprise`;
    const showDetails = () => fireEvent.click(screen.getByTestId('environment'));
    show(ready(tabState({ url: portalUrl, loads: [load([snapshot(learner)], undefined, portalUrl)] })));
    expect(screen.queryByTestId('lms')).toBeNull(); // behind the environment chip
    showDetails();
    expect(screen.getByTestId('lms').textContent).toBe(`LMS: ${lms} (the one this page calls)`);
    expect(screen.getByTestId('lms').getAttribute('data-from')).toBe('page');
    expect(screen.queryByTestId('enterprise-access')).toBeNull(); // the page called no BFF
    cleanup();
    const bffOrigin = `http://localhost:${port + 2}`;
    const bff = { ...SOURCES.bff, url: SOURCES.bff.url.replace(/^http:\/\/localhost:\d+/, bffOrigin) };
    show(ready(tabState({ url: portalUrl, loads: [load([snapshot(learner), snapshot(bff)], undefined, portalUrl)] })));
    showDetails();
    expect(screen.getByTestId('lms').textContent).toBe(`LMS: ${lms} (the one this page calls)`);
    expect(screen.getByTestId('enterprise-access').textContent).toBe(
      `enterprise-access (BFF): ${bffOrigin} (the one this page calls)`,
    );
    cleanup();
    show(ready(tabState({ url: portalUrl, loads: [load([], undefined, portalUrl)] })));
    showDetails();
    expect(screen.getByTestId('lms').textContent).toMatch(/^LMS: http:\/\/localhost:18000 \(Devstack's setting/);
    expect(screen.getByTestId('lms').getAttribute('data-from')).toBe('environment');
    cleanup();
    show(ready(null, 'https://example.org/'));
    showDetails();
    expect(screen.queryByTestId('lms')).toBeNull();
  });
});

describe('App: warnings', () => {
  it('warns a superuser that most flags are on for them and not for learners', () => {
    const { state } = oneLoad(randomFeatures(), { identity: identity({ superuser: true }) });
    show(ready(state));
    expect(screen.getByTestId('warning-superuser').textContent).toMatch(
      /superuser: most Waffle flags are on for you and not for learners/,
    );
    expect(screen.getByTestId('badge-superuser')).toBeTruthy();
  });

  it('does not warn staff who are not superusers', () => {
    const { state } = oneLoad(randomFeatures(), { identity: identity({ superuser: false, administrator: true }) });
    show(ready(state));
    expect(screen.queryByTestId('warning-superuser')).toBeNull();
  });

  it('says nothing was captured yet on a portal, with a reload button that reloads the tab', async () => {
    for (const state of [null, tabState({ loads: [load([], NOW)] })]) {
      const acts = actions();
      show(ready(state), acts);
      const warning = screen.getByTestId('warning-nothing-captured');
      expect(warning.textContent).toMatch(/Nothing captured yet/);
      expect(screen.getAllByTestId('reload')).toHaveLength(1);
      const button = within(warning).getByTestId('reload');
      expect(button.tagName).toBe('BUTTON');
      fireEvent.click(button);
      await waitFor(() => expect(acts.reload).toHaveBeenCalledTimes(1));
      await waitFor(() => expect(screen.getByTestId('status').textContent).toMatch(/Reloading/));
      expect(screen.queryByTestId('warning-not-portal')).toBeNull();
      expect(screen.queryAllByTestId('flag-row')).toHaveLength(0);
      expect(screen.getByTestId('flag-count').textContent).toBe('0 of 0 on');
      cleanup();
    }
  });

  it('says so when reloading fails', async () => {
    const acts = actions({ reload: vi.fn(async () => Promise.reject(new Error('No tab with id: 7.'))) });
    show(ready(null), acts);
    fireEvent.click(screen.getByTestId('reload'));
    await waitFor(() =>
      expect(screen.getByTestId('status').textContent).toBe('Could not reload the tab: No tab with id: 7.'),
    );
  });

  it('keeps the reload button out of the warnings once flags are captured', () => {
    const { state } = oneLoad();
    show(ready(state));
    expect(screen.queryByTestId('warning-nothing-captured')).toBeNull();
    expect(screen.getAllByTestId('reload')).toHaveLength(1);
  });

  it('says when the page is not an enterprise portal', () => {
    for (const url of [`https://${randomId()}.example.com/`, 'chrome://newtab/', null]) {
      show(ready(null, url));
      expect(screen.getByTestId('warning-not-portal').textContent).toMatch(/not an Open edX Enterprise portal/);
      expect(screen.queryByTestId('warning-nothing-captured')).toBeNull();
      cleanup();
    }
  });

  it('puts missing, expired and garbled identities in plain words', () => {
    const nowS = Math.floor(NOW / 1000);
    const cases = [
      { status: 'missing' as const },
      identity({ exp: nowS - 1 - randomInt(0, 1000), preferred_username: randomId('u') }, nowS),
      {
        status: 'garbled' as const,
        cookieName: 'stage-edx-jwt-cookie-header-payload',
        reason: `the JWT payload is not JSON ${randomId()}`,
      },
    ];
    for (const id of cases) {
      const { state } = oneLoad(randomFeatures(), { identity: id });
      show(ready(state));
      const sentence = describeIdentityProblem(id);
      expect(sentence).toBeTruthy();
      expect(screen.getByTestId('warning-identity').textContent).toBe(sentence);
      if (id.status === 'expired') {
        expect(screen.getByTestId('username').textContent).toBe(id.identity.username);
        expect(screen.getByTestId('badge-expired')).toBeTruthy();
      } else {
        expect(screen.queryByTestId('username')).toBeNull();
      }
      cleanup();
    }
  });

  it('gives no identity warning when the token is fine', () => {
    const { state } = oneLoad();
    show(ready(state));
    expect(screen.queryByTestId('warning-identity')).toBeNull();
  });
});

describe('App: copy report', () => {
  it('copies a Markdown report with environment, user, enterprise and flags, and says "Copied"', async () => {
    const username = randomId('tester-');
    const features = randomFeatures();
    const { state, snap } = oneLoad(features, { identity: identity({ preferred_username: username }) });
    const acts = actions();
    show(ready(state), acts);
    fireEvent.click(screen.getByTestId('copy-report'));
    await waitFor(() => expect(acts.copyReport).toHaveBeenCalledTimes(1));
    const markdown = String(acts.copyReport.mock.calls[0]![0]);
    expect(markdown).toContain('**Environment:** Devstack (learner portal)');
    expect(markdown).toContain(`**User:** ${username.replace(/_/g, '\\_')}`);
    expect(markdown).toContain(`**Enterprise:** ${snap.enterprise!.name}`);
    expect(markdown).toContain(snap.enterprise!.uuid);
    expect(markdown).toContain(`**Captured:** ${new Date(NOW).toISOString()}`);
    for (const [key, on] of Object.entries(features)) {
      expect(markdown).toContain(`| ${on ? 'on' : 'off'} | ${key.replace(/_/g, '\\_')} |`);
    }
    await waitFor(() => expect(screen.getByTestId('status').textContent).toMatch(/^Copied/));
    expect(screen.getByTestId('status').getAttribute('aria-live')).toBe('polite');
  });

  it('says clearly when the clipboard refused', async () => {
    const why = `denied ${randomId()}`;
    const acts = actions({ copyReport: vi.fn(async () => Promise.reject(new Error(why))) });
    const { state } = oneLoad();
    show(ready(state), acts);
    fireEvent.click(screen.getByTestId('copy-report'));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe(`Could not copy the report: ${why}`));
  });
});

describe('App: hostile input is text', () => {
  it('renders HTML in flag keys, enterprise names and reasons as text', () => {
    const hostileKey = '<img src=x onerror=alert(1)>';
    const hostileName = `<script>window.pwned=1</script><b>${randomId()}</b>`;
    const hostileUser = '<svg onload=alert(2)>';
    const snap = snapshot(SOURCES.bff, {
      features: { ...randomFeatures(), [hostileKey]: true },
      edit: (b) => {
        b['enterprise_customer'] = { uuid: '<i>u</i>', name: hostileName, slug: '<a href=javascript:alert(3)>s</a>' };
      },
    });
    // A hostile key with a non-boolean value: the real extraction reports it as a problem of the response.
    const partly = extract({
      method: 'GET',
      url: SOURCES.learner.url,
      status: 200,
      body: JSON.stringify({ enterprise_features: { '<img src=z onerror=alert(4)>': '<u>x</u>' } }),
      bodyNote: null,
      capturedAt: NOW,
    });
    if (partly.kind !== 'snapshot') throw new Error('expected a snapshot with problems');
    const bad = partly.problems[0]!;
    const state = tabState({
      identity: identity({ preferred_username: hostileUser, email: '<b>e</b>@example.com' }),
      loads: [load([snap], NOW - 60_000)],
      diagnostics: [bad],
      featureParams: ['<iframe src=javascript:alert(5)>'],
    });
    const { container } = show(ready(state));
    expect(container.querySelectorAll('img, script, svg, iframe, b, i, u, a')).toHaveLength(0);
    const row = rows().find((r) => r.getAttribute('data-key') === hostileKey)!;
    expect(within(row).getByTestId('flag-key').textContent).toBe(hostileKey);
    expect(screen.getByTestId('enterprise-name').textContent).toBe(hostileName);
    expect(screen.getByTestId('username').textContent).toBe(hostileUser);
    expect(screen.getByTestId('diagnostic-reason').textContent).toBe(
      '"<img src=z onerror=alert(4)>" is a string, not true/false: skipped',
    );
    expect(screen.getByTestId('feature-param').textContent).toBe('<iframe src=javascript:alert(5)>');
    expect((window as unknown as Record<string, unknown>)['pwned']).toBeUndefined();
  });
});

describe('App: diagnostics', () => {
  it('lists what could not be read during the current load: path, source and reason', () => {
    const startedAt = NOW - 60_000;
    const snap = snapshot(SOURCES.learner, { capturedAt: startedAt + 2_000 });
    const secret = randomId('user');
    const html = diagnostic(
      SOURCES.learner,
      200,
      '<!doctype html><html>Sign in</html>',
      startedAt + 1_000,
      `${LMS_URL}?username=${secret}`,
    );
    const http = diagnostic(SOURCES.bff, 500 + randomInt(0, 4), '{}', startedAt + 3_000);
    const old = diagnostic(SOURCES.dashboardList, 403, '{}', startedAt - 5_000);
    show(ready(tabState({ loads: [load([snap], startedAt)], diagnostics: [http, html, old] })));
    const section = screen.getByTestId('diagnostics');
    expect(within(section).getByRole('heading').textContent).toBe('What could not be read');
    const items = within(section).getAllByTestId('diagnostic');
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('POST /api/v1/bffs/learner/dashboard/');
    expect(items[0]!.textContent).toContain('BFF learner');
    expect(items[0]!.textContent).toContain(`HTTP ${http.reason.match(/HTTP (\d+)/)![1]}`);
    expect(items[1]!.textContent).toContain('GET /enterprise/api/v1/enterprise-learner/');
    expect(items[1]!.textContent).toContain('HTML page');
    expect(section.textContent).not.toContain(secret);
    expect(section.textContent).not.toContain('dashboard_list');
  });

  it('has no diagnostics section when everything was read', () => {
    const { state } = oneLoad();
    show(ready(state));
    expect(screen.queryByTestId('diagnostics')).toBeNull();
  });
});

describe('App: other views and the enrollment slot', () => {
  it('renders loading and error views', () => {
    show({ status: 'loading' });
    expect(screen.getByTestId('loading')).toBeTruthy();
    cleanup();
    const message = `Could not ask: ${randomId()}`;
    show({ status: 'error', message });
    expect(screen.getByTestId('error').textContent).toBe(message);
  });

  it('renders per-flag extras in their own area of an expanded row, and only there', () => {
    const { state } = oneLoad();
    const asked: string[] = [];
    render(
      <App
        view={ready(state)}
        actions={actions()}
        now={() => NOW}
        renderFlagExtra={(row) => {
          asked.push(row.key);
          return row.on ? <button type="button">Why is {row.key} on?</button> : null;
        }}
      />,
    );
    expect(asked).toEqual([]);
    expect(screen.queryAllByTestId('flag-extra')).toHaveLength(0);
    for (const row of rows()) {
      expand(row);
      const extra = within(row).queryByTestId('flag-extra');
      if (row.getAttribute('data-on') === 'true')
        expect(extra?.querySelector('button')?.textContent).toContain(row.getAttribute('data-key'));
      else expect(extra).toBeNull();
    }
  });

  it('updates when a new view arrives (live state)', () => {
    const first = oneLoad();
    const acts = actions();
    const { rerender } = show(ready(first.state), acts);
    const features: Record<string, boolean> = Object.fromEntries(KNOWN_KEYS.map((k) => [k, !first.features[k]]));
    const prev = first.state.loads[0]!;
    const cur = load([snapshot(SOURCES.learner, { features, capturedAt: NOW })] as FlagSnapshot[], NOW - 1);
    rerender(<App view={ready({ ...first.state, loads: [cur, prev] })} actions={acts} now={() => NOW} />);
    expect(screen.getAllByTestId('flag-changed')).toHaveLength(KNOWN_KEYS.length);
  });
});

const LMS_URL = SOURCES.learner.url.split('?')[0]!;

describe('App: filter chips and the compact list', () => {
  function chipCount(id: string): string | null {
    const chip = screen.queryByTestId(`chip-${id}`);
    return chip ? (chip.querySelector('.filter-chip__count')?.textContent ?? '') : null;
  }

  it('counts On, Off, Changed, Differs and Unknown key, and each narrows the list; a second click clears it', () => {
    const unknown = randomId('brand_new_');
    const keys = [...KNOWN_KEYS.slice(0, 6), unknown];
    const before = randomFeatures(keys);
    const now = { ...before, [keys[0]!]: !before[keys[0]!] };
    const flip = keys[1]!;
    const prev = load([snapshot(SOURCES.learner, { features: before, capturedAt: NOW - 60_000 })], NOW - 70_000);
    const cur = load(
      [
        snapshot(SOURCES.learner, { features: now, capturedAt: NOW - 20_000 }),
        snapshot(SOURCES.bff, { features: { [flip]: !now[flip] }, capturedAt: NOW - 10_000 }),
      ],
      NOW - 30_000,
    );
    show(ready(tabState({ loads: [cur, prev] })));
    const final = { ...now, [flip]: !now[flip] };
    const onKeys = keys.filter((k) => final[k]);
    expect(chipCount('on')).toBe(String(onKeys.length));
    expect(chipCount('off')).toBe(String(keys.length - onKeys.length));
    expect(chipCount('differs')).toBe('1');
    expect(chipCount('unknown')).toBe('1');
    // No enrollment answer: no Enrolled chip at all.
    expect(chipCount('enrolled')).toBeNull();
    const changed = keys.filter((k) => final[k] !== before[k]);
    expect(chipCount('changed')).toBe(String(changed.length));

    const chip = (id: string) => screen.getByTestId(`chip-${id}`);
    fireEvent.click(chip('on'));
    expect(chip('on').getAttribute('aria-pressed')).toBe('true');
    expect(keysShown().sort()).toEqual([...onKeys].sort());
    expect(screen.getByTestId('flag-count').textContent).toContain(`${onKeys.length} shown`);
    fireEvent.click(chip('differs'));
    expect(chip('on').getAttribute('aria-pressed')).toBe('false');
    expect(keysShown()).toEqual([flip]);
    fireEvent.click(chip('unknown'));
    expect(keysShown()).toEqual([unknown]);
    fireEvent.click(chip('changed'));
    expect(keysShown().sort()).toEqual([...changed].sort());
    fireEvent.click(chip('changed'));
    expect(keysShown()).toHaveLength(keys.length);
  });

  it('chips and the text filter combine; Escape in the filter clears both', () => {
    const { state, features } = oneLoad();
    show(ready(state));
    const off = KNOWN_KEYS.filter((k) => !features[k]);
    fireEvent.click(screen.getByTestId('chip-off'));
    const filter = screen.getByTestId('filter');
    fireEvent.input(filter, { target: { value: off[0] } });
    expect(keysShown()).toEqual([off[0]]);
    fireEvent.input(filter, { target: { value: randomId('nothing_') } });
    expect(screen.getByTestId('no-match').textContent).toMatch(/among Off/);
    fireEvent.keyDown(filter, { key: 'Escape' });
    expect(keysShown()).toHaveLength(KNOWN_KEYS.length);
    expect(screen.getByTestId('chip-off').getAttribute('aria-pressed')).toBe('false');
  });

  it('the Enrolled chip counts the rows the backend says I am enrolled in; why chips and actions show at rest', () => {
    const { state, features } = oneLoad();
    const enrolledKey = pick(KNOWN_KEYS);
    const describeFlag = (row: { key: string }) =>
      row.key === enrolledKey
        ? { why: { text: 'enrolled 7h 59m', title: 'On for you: your enrollment' }, enrolled: true, action: null }
        : { why: { text: 'staff', title: 'On for: staff' }, enrolled: false, action: { label: 'Enroll…', title: 't' } };
    render(<App view={ready(state)} actions={actions()} now={() => NOW} describeFlag={describeFlag} />);
    expect(chipCount('enrolled')).toBe('1');
    fireEvent.click(screen.getByTestId('chip-enrolled'));
    expect(keysShown()).toEqual([enrolledKey]);
    const row = rows()[0]!;
    expect(within(row).getByTestId('flag-why').textContent).toBe('enrolled 7h 59m');
    fireEvent.click(screen.getByTestId('chip-enrolled'));
    const other = rows().find((r) => r.getAttribute('data-key') !== enrolledKey)!;
    fireEvent.click(within(other).getByTestId('flag-action'));
    expect(within(other).getByTestId('flag-details')).toBeTruthy();
    expect(within(other).getByTestId('flag-name').textContent).toBe(FLAG_NAMES[other.getAttribute('data-key')!]);
    void features;
  });

  it('keeps a place in the header for extra controls', () => {
    const { state } = oneLoad();
    render(
      <App
        view={ready(state)}
        actions={actions()}
        now={() => NOW}
        headerExtra={<button type="button">View as user…</button>}
      />,
    );
    expect(within(screen.getByTestId('header-extra')).getByRole('button').textContent).toBe('View as user…');
  });
});

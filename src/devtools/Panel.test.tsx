// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeEntries, type LogEntry, type LogResponse } from '../core/devtools-log';
import { formatChange, formatPath, formatSize, formatTime, prettyFeatures } from './format';
import { inspectedTab, tabFromSearch } from './inspected-tab';
import { Panel } from './Panel';

afterEach(cleanup);

const LMS = 'https://courses.edx.org/enterprise/api/v1/enterprise-learner/?username=alice&page=1';
const BFF = 'https://enterprise-access.edx.org/api/v1/bffs/learner/dashboard/';
const PAGE = 'https://enterprise.edx.org/acme';
const T0 = new Date(2026, 11, 2, 14, 3, 7, 125).getTime();
const HOSTILE = '<img src=x onerror=alert(1)>';

const start = (id: string, doc: string, at: number, url = PAGE): LogEntry => ({ kind: 'start', id, doc, at, url });
function response(
  id: string,
  doc: string,
  at: number,
  flags: Record<string, boolean>,
  over: Partial<LogResponse> = {},
): LogResponse {
  return {
    kind: 'response',
    id,
    doc,
    at,
    source: 'enterprise-learner',
    method: 'GET',
    url: LMS,
    status: 200,
    flags: Object.entries(flags).map(([key, on]) => ({ key, on })),
    size: 2458,
    features: JSON.stringify(flags),
    cut: false,
    problems: [],
    ...over,
  };
}

const LOG: LogEntry[] = [
  start('s1', 'd1', T0),
  response('r1', 'd1', T0 + 10, { alpha: true, beta: false }),
  response(
    'r2',
    'd1',
    T0 + 20,
    { alpha: false },
    { source: 'bff-learner', method: 'POST', url: BFF, size: null, features: null },
  ),
  start('s2', 'd2', T0 + 30),
  response('r3', 'd2', T0 + 40, { alpha: true, beta: true }),
  {
    kind: 'unread',
    id: 'u1',
    doc: 'd2',
    at: T0 + 50,
    source: 'enterprise-learner',
    method: 'GET',
    url: LMS,
    reason: 'the server answered HTTP 500, so no flags were read from it',
  },
  start('s3', 'd3', T0 + 60, `${PAGE}/search`),
];

const entries = () => screen.getAllByTestId('entry');
const select = (row: HTMLElement) => fireEvent.click(within(row).getByTestId('entry-select'));

describe('Panel', () => {
  it('lists each response in order: time, source, method and path, status, size, flag count', () => {
    render(<Panel tabId={12} status="live" entries={LOG} />);
    const rows = entries();
    expect(rows).toHaveLength(4);
    const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells(rows[0]!).slice(0, 6)).toEqual([
      formatTime(T0 + 10),
      'enterprise-learner',
      'GET /enterprise/api/v1/enterprise-learner/?username=alice&page=1',
      '200',
      '2.4 KB',
      '2',
    ]);
    expect(cells(rows[1]!).slice(0, 6)).toEqual([
      formatTime(T0 + 20),
      'BFF learner',
      'POST /api/v1/bffs/learner/dashboard/',
      '200',
      '—',
      '1',
    ]);
    expect(rows[3]?.getAttribute('data-kind')).toBe('unread');
    expect(rows[3]?.textContent).toContain('HTTP 500');
    expect(screen.getByTestId('panel-status').textContent).toMatch(/^Tab 12: live · 4 responses/);
  });

  it('marks which flags changed against the previous response of the same source', () => {
    render(<Panel tabId={12} status="live" entries={LOG} />);
    const [first, bff, third] = entries();
    // The first of each source has nothing to compare with.
    expect(within(first!).queryByTestId('entry-changed')).toBeNull();
    expect(first!.textContent).toContain('first of this source');
    expect(within(bff!).queryByTestId('entry-changed')).toBeNull();
    // The learner response after the reload: against the learner's before it, not the BFF's.
    const changed = within(third!).getAllByTestId('changed-key');
    expect(changed.map((c) => [c.getAttribute('data-key'), c.textContent])).toEqual([['beta', 'beta: off → on']]);
  });

  it('draws a separator where each document started: loaded, reloaded, navigated', () => {
    render(<Panel tabId={12} status="live" entries={LOG} />);
    const separators = screen.getAllByTestId('separator');
    expect(separators.map((s) => s.getAttribute('data-label'))).toEqual([
      'Page loaded',
      'Page reloaded',
      'Page navigated',
    ]);
    expect(separators[2]?.textContent).toContain('/acme/search');
    // In order among the responses.
    const body = screen.getAllByRole('row').slice(1);
    expect(
      body.map((r) => (r.getAttribute('data-testid') === 'separator' ? 'sep' : r.getAttribute('data-kind'))),
    ).toEqual(['sep', 'response', 'response', 'sep', 'response', 'unread', 'sep']);
  });

  it("shows the selected response's flags and its enterprise_features as received, pretty-printed", () => {
    render(<Panel tabId={12} status="live" entries={LOG} />);
    expect(screen.getByTestId('detail').textContent).toMatch(/Select a response/);
    const third = entries()[2]!;
    select(third);
    expect(within(third).getByTestId('entry-select').getAttribute('aria-pressed')).toBe('true');
    const flags = screen.getAllByTestId('detail-flag');
    expect(flags.map((f) => [f.getAttribute('data-key'), f.getAttribute('data-on')])).toEqual([
      ['alpha', 'true'],
      ['beta', 'true'],
    ]);
    expect(flags[1]?.textContent).toContain('changed');
    expect(flags[0]?.textContent).not.toContain('changed');
    expect(screen.getByTestId('features').textContent).toBe('{\n  "alpha": true,\n  "beta": true\n}');
    expect(screen.getByTestId('detail-url').textContent).toBe(LMS);
    // Another row: its own flags; one recorded with no panel open says so.
    select(entries()[1]!);
    expect(screen.getAllByTestId('detail-flag').map((f) => f.getAttribute('data-key'))).toEqual(['alpha']);
    expect(screen.queryByTestId('features')).toBeNull();
    expect(screen.getByTestId('features-missing').textContent).toMatch(/panel was not open/);
    // An unread response: the reason.
    select(entries()[3]!);
    expect(screen.getByTestId('detail-reason').textContent).toMatch(/HTTP 500/);
  });

  it('renders hostile keys, values, URLs and reasons as text, never as HTML', () => {
    const features = JSON.stringify({ [HOSTILE]: true, note: HOSTILE });
    const hostile: LogEntry[] = [
      start('s', 'd', T0, `${PAGE}/${HOSTILE}`),
      response('r', 'd', T0 + 1, { [HOSTILE]: true }, { features, problems: [`"note" is ${HOSTILE}`] }),
      {
        kind: 'unread',
        id: 'u',
        doc: 'd',
        at: T0 + 2,
        source: 'bff-learner',
        method: 'POST',
        url: BFF,
        reason: HOSTILE,
      },
    ];
    const { container } = render(<Panel tabId={1} status="live" entries={hostile} />);
    select(entries()[0]!);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByTestId('features').textContent).toBe(
      JSON.stringify({ [HOSTILE]: true, note: HOSTILE }, null, 2),
    );
    expect(screen.getByTestId('features').innerHTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(screen.getByTestId('detail-flag').textContent).toContain(HOSTILE);
    expect(screen.getByTestId('detail-problems').textContent).toContain(HOSTILE);
    expect(entries()[1]?.textContent).toContain(HOSTILE);
    expect(container.querySelector('img')).toBeNull();
  });

  it('says a cut text is cut, and shows it as it came', () => {
    const text = '{"a":true,"b":fa';
    render(
      <Panel tabId={1} status="live" entries={[response('r', 'd', T0, { a: true }, { features: text, cut: true })]} />,
    );
    select(entries()[0]!);
    expect(screen.getByTestId('features').textContent).toBe(text);
    expect(screen.getByTestId('detail').textContent).toMatch(/first 20,000 characters only/);
  });

  it('says when there is nothing yet, and when there is no tab', () => {
    const { unmount } = render(<Panel tabId={3} status="connecting" entries={[]} />);
    expect(screen.getByTestId('empty').textContent).toMatch(/No response captured/);
    expect(screen.getByTestId('panel-status').textContent).toMatch(/^Tab 3: connecting…/);
    unmount();
    render(<Panel tabId={null} status="no-tab" entries={[]} />);
    expect(screen.getByTestId('panel-status').textContent).toMatch(/^no tab to inspect/);
  });
});

describe('the panel log and its formats', () => {
  it('merges a log received again (a restarted worker) without doubling entries, each in its place', () => {
    const mine = LOG.slice(0, 3);
    const merged = mergeEntries(mine, [LOG[1]!, LOG[3]!, LOG[4]!, response('late', 'd1', T0 + 35, {})]);
    expect(merged.map((e) => e.id)).toEqual(['s1', 'r1', 'r2', 'late', 's2', 'r3']);
  });

  it('formats times, sizes, paths, changes and the features text', () => {
    expect(formatTime(T0)).toBe('14:03:07.125');
    expect([formatSize(null), formatSize(812), formatSize(2458), formatSize(3 * 1024 * 1024)]).toEqual([
      '—',
      '812 B',
      '2.4 KB',
      '3.0 MB',
    ]);
    expect(formatPath('not a url')).toBe('not a url');
    expect(formatPath(`https://x.org/p?${'q'.repeat(100)}`)).toHaveLength(2 + 59 + 1);
    expect(formatChange({ key: 'k', before: undefined, after: true })).toBe('k: new, on');
    expect(formatChange({ key: 'k', before: false, after: undefined })).toBe('k: gone (was off)');
    expect(prettyFeatures('{"a":1}', false)).toBe('{\n  "a": 1\n}');
    expect(prettyFeatures('{"a":', false)).toBe('{"a":');
  });

  it('takes the inspected tab from DevTools, else from ?tab= (digits only)', () => {
    expect(inspectedTab(42, '?tab=7')).toBe(42);
    expect(inspectedTab(undefined, '?tab=7')).toBe(7);
    expect(tabFromSearch('?tab=1645721796')).toBe(1645721796); // Chromium's ids can be this long
    expect(tabFromSearch('?tab=١٢')).toBeNull();
    expect(tabFromSearch('?tab=-1')).toBeNull();
    expect(tabFromSearch('?tab=1e3')).toBeNull();
    expect(tabFromSearch('')).toBeNull();
  });
});

// @vitest-environment jsdom
// Each state a flag's line can be in, at rest and open: on/off, changed, new, differs, unknown key,
// a why chip, an action, and the extra sections of an open row.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlagRow, SourceValue } from '../core/types';
import { FlagRowView, type FlagSummary } from './FlagRowView';
import { random } from '../../test/random';
import { LMS, BFF, randomId } from '../../test/popup-data';

afterEach(cleanup);

const NOW = Date.now();

function flagRow(partial: Partial<FlagRow> = {}): FlagRow {
  const key = partial.key ?? randomId('enterprise_key_');
  const on = partial.on ?? random() < 0.5;
  const value: SourceValue = {
    source: 'enterprise-learner',
    url: `${LMS}/enterprise/api/v1/enterprise-learner/?username=x`,
    capturedAt: NOW - 5_000,
    on,
  };
  return {
    key,
    flag: `enterprise.${key}`,
    on,
    source: value.source,
    url: value.url,
    capturedAt: value.capturedAt,
    values: [value],
    differs: false,
    previous: undefined,
    changed: false,
    ...partial,
  };
}

function mount(row: FlagRow, props: { summary?: FlagSummary | null; expanded?: boolean; compared?: boolean } = {}) {
  const onToggle = vi.fn();
  const view = render(
    <ul>
      <FlagRowView
        row={row}
        now={NOW}
        compared={props.compared ?? false}
        summary={props.summary ?? null}
        expanded={props.expanded ?? false}
        onToggle={onToggle}
        renderExtra={(r) => <p data-testid="extra-probe">extra for {r.key}</p>}
      />
    </ul>,
  );
  return { onToggle, view, line: within(screen.getByTestId('flag-row')) };
}

describe('a flag line at rest', () => {
  it('on and off: the pill says it, the key is a button that opens the row, nothing else is open', () => {
    for (const on of [true, false]) {
      const row = flagRow({ on });
      const { onToggle, line } = mount(row);
      expect(line.getByTestId('flag-state').textContent).toBe(on ? 'on' : 'off');
      expect(line.getByTestId('flag-state').className).toContain(on ? 'pill--on' : 'pill--off');
      expect(line.getByTestId('flag-key').textContent).toBe(row.key);
      const toggle = line.getByTestId('flag-toggle');
      expect(toggle.tagName).toBe('BUTTON');
      expect(toggle.getAttribute('title')).toBe(`${row.key}\nWaffle flag: ${row.flag}`);
      expect(line.queryByTestId('flag-details')).toBeNull();
      expect(line.queryByTestId('extra-probe')).toBeNull();
      for (const id of ['flag-changed', 'flag-differs', 'flag-unknown', 'flag-why', 'flag-action']) {
        expect(line.queryByTestId(id)).toBeNull();
      }
      fireEvent.click(toggle);
      expect(onToggle).toHaveBeenCalledWith(row.key);
      cleanup();
    }
  });

  it('changed: "was on" / "was off" / "new", only when there is a previous load to compare with', () => {
    const cases: [boolean | undefined, string][] = [
      [true, 'was on'],
      [false, 'was off'],
      [undefined, 'new'],
    ];
    for (const [previous, text] of cases) {
      const row = flagRow({ previous, changed: true, on: previous === undefined ? true : !previous });
      expect(mount(row, { compared: true }).line.getByTestId('flag-changed').textContent).toBe(text);
      cleanup();
      expect(mount(row, { compared: false }).line.queryByTestId('flag-changed')).toBeNull();
      cleanup();
    }
  });

  it('differs: a chip whose tooltip gives each source and its value', () => {
    const values: SourceValue[] = [
      {
        source: 'enterprise-learner',
        url: `${LMS}/enterprise/api/v1/enterprise-learner/`,
        capturedAt: NOW - 9_000,
        on: true,
      },
      { source: 'bff-learner', url: `${BFF}/api/v1/bffs/learner/dashboard/`, capturedAt: NOW - 3_000, on: false },
    ];
    const { line } = mount(flagRow({ on: false, values, differs: true }));
    expect(screen.getByTestId('flag-row').getAttribute('data-differs')).toBe('true');
    expect(line.getByTestId('flag-differs').getAttribute('title')).toBe(
      'Sources differ: LMS (enterprise-learner) said on, BFF (BFF learner) said off',
    );
  });

  it('differs: the LMS is named first even when the BFF answered first', () => {
    const values: SourceValue[] = [
      { source: 'bff-learner', url: `${BFF}/api/v1/bffs/learner/dashboard/`, capturedAt: NOW - 9_000, on: false },
      {
        source: 'enterprise-customer',
        url: `${LMS}/enterprise/api/v1/enterprise-customer/`,
        capturedAt: NOW - 3_000,
        on: true,
      },
    ];
    const { line } = mount(flagRow({ on: true, values, differs: true }));
    expect(line.getByTestId('flag-differs').getAttribute('title')).toBe(
      'Sources differ: LMS (enterprise-customer) said on, BFF (BFF learner) said off',
    );
  });

  it('unknown key: marked, and the tooltip says the key is not in the table', () => {
    const { line } = mount(flagRow({ flag: null }));
    expect(line.getByTestId('flag-unknown').textContent).toBe('unknown key');
    expect(line.getByTestId('flag-toggle').getAttribute('title')).toMatch(/unknown key/);
  });

  it('why chip and action: the short reason with the whole one as tooltip; the action opens the row', () => {
    const row = flagRow({ on: false });
    const summary: FlagSummary = {
      why: { text: 'staff', title: 'On for: staff · 50%' },
      enrolled: false,
      action: { label: 'Enroll…', title: 'Open the row to enroll yourself' },
    };
    const { onToggle, line } = mount(row, { summary });
    expect(line.getByTestId('flag-why').textContent).toBe('staff');
    expect(line.getByTestId('flag-why').getAttribute('title')).toBe('On for: staff · 50%');
    const action = line.getByTestId('flag-action');
    expect(action.textContent).toBe('Enroll…');
    expect(action.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(action);
    expect(onToggle).toHaveBeenCalledWith(row.key);
  });

  it('renders HTML in keys and reasons as text', () => {
    const key = '<img src=x onerror=alert(1)>';
    const { view } = mount(flagRow({ key, flag: null }), {
      summary: { why: { text: '<b>x</b>', title: '<i>' }, enrolled: false, action: null },
      expanded: true,
    });
    expect(view.container.querySelector('img, b, i')).toBeNull();
    expect(screen.getByTestId('flag-key').textContent).toBe(key);
  });
});

describe('an open row', () => {
  it('shows the Waffle name, each source with its value, path and time, and the extra sections', () => {
    const row = flagRow({ on: true });
    const { line } = mount(row, { expanded: true });
    expect(line.getByTestId('flag-toggle').getAttribute('aria-expanded')).toBe('true');
    expect(line.getByTestId('flag-name').textContent).toBe(row.flag);
    const value = line.getByTestId('flag-source-value');
    expect(value.getAttribute('data-on')).toBe('true');
    expect(line.getByTestId('flag-source').textContent).toBe('LMS · enterprise-learner');
    // The path, never the query (it may carry a username or an email).
    expect(line.getByTestId('flag-source').getAttribute('title')).toBe('/enterprise/api/v1/enterprise-learner/');
    expect(line.getByTestId('flag-captured').getAttribute('datetime')).toBe(new Date(row.capturedAt).toISOString());
    expect(line.getByTestId('flag-captured').textContent).toMatch(/\(5 s ago\)$/);
    expect(line.getByTestId('extra-probe').textContent).toBe(`extra for ${row.key}`);
    expect(line.queryByTestId('differs-note')).toBeNull();
  });

  it('an unknown key says so in place of the Waffle name', () => {
    const { line } = mount(flagRow({ flag: null }), { expanded: true });
    expect(line.queryByTestId('flag-name')).toBeNull();
    expect(line.getByTestId('flag-details').textContent).toMatch(/not in the extension's table/);
  });
});

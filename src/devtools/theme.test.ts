// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { followDevtoolsTheme, panelTheme, type ThemePanels } from './theme';

describe('panelTheme', () => {
  it("maps both browsers' theme names to light or dark", () => {
    expect(panelTheme('dark')).toBe('dark');
    expect(panelTheme('default')).toBe('light'); // Chromium's light theme
    expect(panelTheme('light')).toBe('light'); // Firefox's
    expect(panelTheme('firebug')).toBe('light');
  });

  it('leaves an unknown or missing name to the system setting', () => {
    for (const name of [undefined, null, '', 'Dark', 'solarized', 1, {}]) expect(panelTheme(name)).toBeNull();
  });
});

describe('followDevtoolsTheme', () => {
  const root = () => document.createElement('html');

  it("sets DevTools' theme now and follows Chromium's change handler", () => {
    const el = root();
    let handler: ((name: unknown) => void) | undefined;
    const panels: ThemePanels = { themeName: 'dark', setThemeChangeHandler: (h) => (handler = h) };
    followDevtoolsTheme(panels, el);
    expect(el.dataset['theme']).toBe('dark');
    handler?.('default');
    expect(el.dataset['theme']).toBe('light');
    handler?.('something new');
    expect(el.dataset['theme']).toBeUndefined();
  });

  it("follows Firefox's onThemeChanged", () => {
    const el = root();
    const listeners: ((name: unknown) => void)[] = [];
    followDevtoolsTheme({ themeName: 'light', onThemeChanged: { addListener: (l) => listeners.push(l) } }, el);
    expect(el.dataset['theme']).toBe('light');
    expect(listeners).toHaveLength(1);
    listeners[0]?.('dark');
    expect(el.dataset['theme']).toBe('dark');
  });

  it('with no DevTools (the panel opened as a tab) sets nothing: the system setting decides', () => {
    const el = root();
    followDevtoolsTheme(undefined, el);
    expect(el.hasAttribute('data-theme')).toBe(false);
  });
});

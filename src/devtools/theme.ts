// The panel in DevTools' own colours: DevTools can be dark while the system is light, and the other way
// round. The theme's name comes from `devtools.panels.themeName` ("default" or "dark" in Chromium;
// "light", "dark" or "firebug" in Firefox) and its changes from `setThemeChangeHandler` (Chromium) or
// `onThemeChanged` (Firefox). The page's colours follow `data-theme` on <html> (src/ui/theme.css);
// with no DevTools (the panel opened as a tab) or a name we do not know, the system setting decides.

export type PanelTheme = 'light' | 'dark';

/** The colours for a DevTools theme name; null: leave it to the system setting. */
export function panelTheme(themeName: unknown): PanelTheme | null {
  if (themeName === 'dark') return 'dark';
  if (themeName === 'default' || themeName === 'light' || themeName === 'firebug') return 'light';
  return null;
}

/** What the panel reads of `devtools.panels`: each browser has one of the two ways to hear changes. */
export interface ThemePanels {
  themeName?: unknown;
  setThemeChangeHandler?: (handler: (themeName: unknown) => void) => void;
  onThemeChanged?: { addListener(listener: (themeName: unknown) => void): void };
}

export function applyTheme(root: HTMLElement, themeName: unknown): void {
  const theme = panelTheme(themeName);
  if (theme === null) delete root.dataset['theme'];
  else root.dataset['theme'] = theme;
}

/** Sets the panel's colours from DevTools' theme now, and again each time it changes. */
export function followDevtoolsTheme(panels: ThemePanels | undefined, root: HTMLElement): void {
  if (!panels) return;
  applyTheme(root, panels.themeName);
  const changed = (themeName: unknown) => applyTheme(root, themeName);
  if (typeof panels.setThemeChangeHandler === 'function') panels.setThemeChangeHandler(changed);
  else panels.onThemeChanged?.addListener(changed);
}

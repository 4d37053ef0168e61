// Entry point of the options page: environments (presets and the user's own) in storage.sync.
import { render } from 'preact';
import { browser } from '../platform/browser';
import { loadCustomEnvironments, saveCustomEnvironments, watchCustomEnvironments } from '../platform/settings-store';
import { App, type OptionsApi } from './App';
import '../ui/theme.css';
import './styles.css';

const api: OptionsApi = {
  load: loadCustomEnvironments,
  save: saveCustomEnvironments,
  watch: watchCustomEnvironments,
  // Called straight from the submit handler, before any await: browsers grant a permission prompt
  // only while the user's click is being handled.
  request: (origins) => browser.permissions.request({ origins }),
  release: async (origins) => {
    await browser.permissions.remove({ origins });
  },
  contains: (origins) => browser.permissions.contains({ origins }),
  shortcut: async () => {
    const commands = await browser.commands.getAll();
    return commands.find((c) => c.name === '_execute_action')?.shortcut || null;
  },
};

const root = document.getElementById('app');
if (root) render(<App api={api} />, root);

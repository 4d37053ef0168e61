// Entry point of the DevTools panel: the inspected tab's log, live, rendered by Panel.
import { render } from 'preact';
import { browser } from '../platform/browser';
import { inspectedTab } from './inspected-tab';
import { Panel } from './Panel';
import { followDevtoolsTheme } from './theme';
import { usePanelLog } from './usePanelLog';
import '../ui/theme.css';
import './styles.css';

followDevtoolsTheme(browser.devtools?.panels, document.documentElement);

const tabId = inspectedTab(browser.devtools?.inspectedWindow.tabId, location.search);

function LivePanel() {
  const { status, entries } = usePanelLog(tabId);
  return <Panel tabId={tabId} status={status} entries={entries} />;
}

const root = document.getElementById('app');
if (root) render(<LivePanel />, root);

// Entry point of the action popup: reads the tab's state and mounts the app.
import { render } from 'preact';
import { useMemo } from 'preact/hooks';
import { App } from './App';
import { popupActions } from './actions';
import { useTabState } from './useTabState';
import './styles.css';

function Popup() {
  const view = useTabState();
  const tabId = view.status === 'ready' ? view.tabId : null;
  const actions = useMemo(() => popupActions(tabId), [tabId]);
  return <App view={view} actions={actions} />;
}

const root = document.getElementById('app');
if (root) render(<Popup />, root);

// Entry point of the action popup: reads the tab's state and mounts the app, with enrollment.
import './start-mark';
import { render } from 'preact';
import { useCallback, useMemo } from 'preact/hooks';
import { detectContext } from '../core/environment';
import { failed } from '../core/backend-error';
import { chooseService } from '../core/page-services';
import { askTab } from '../platform/messaging';
import { flagNameFor } from '../core/flag-names';
import type { FlagRow } from '../core/types';
import { App, type FlagSummary } from './App';
import { flagSummary } from './enroll/summary';
import { popupActions } from './actions';
import { EnrollmentPanel } from './enroll/EnrollmentPanel';
import { FlagEnrollment } from './enroll/FlagEnrollment';
import { shownFlagNames, useEnrollment, type AskBackend, type ExpectationStore } from './enroll/useEnrollment';
import { loadExpectations, saveExpectation } from './enroll/expectations';
import { browserTestingCookies } from './testing/cookies';
import { TestingMode } from './testing/TestingMode';
import { environmentText, type PopupActions, type PopupView } from './model';
import { ViewAs } from './support/ViewAs';
import { useEnvironments } from './useEnvironments';
import { useTabState } from './useTabState';
import '../ui/theme.css';
import './styles.css';

function Popup() {
  // The user's own environments (options page) as well as the presets: label, LMS, cookie prefix.
  const environments = useEnvironments();
  const tabView = useTabState();
  const view = useMemo(
    () => (tabView.status === 'ready' ? { ...tabView, environments } : tabView),
    [tabView, environments],
  );
  const tabId = view.status === 'ready' ? view.tabId : null;
  const actions = useMemo(() => popupActions(tabId), [tabId]);
  if (view.status !== 'ready' || tabId === null) return <App view={view} actions={actions} />;
  return <ReadyPopup view={view} tabId={tabId} actions={actions} />;
}

/** Requests to the enrollment API, made by the tab's content script from the portal's origin. */
function askTabBackend(tabId: number): AskBackend {
  return async (type, payload) => {
    try {
      const answer = await askTab(tabId, type, payload);
      return answer ?? failed('bad-response', 'the portal page did not take the request: reload it and try again');
    } catch {
      // No content script in that tab: not a portal page (or it was loaded before the extension).
      return failed('no-portal', '');
    }
  };
}

function ReadyPopup({
  view,
  tabId,
  actions,
}: {
  view: PopupView & { status: 'ready' };
  tabId: number;
  actions: PopupActions;
}) {
  const pageUrl = view.tabUrl ?? view.state?.url ?? '';
  const context = detectContext(pageUrl, view.environments);
  const environment = context.environment;
  const ask = useMemo(() => askTabBackend(tabId), [tabId]);
  const store = useMemo<ExpectationStore>(
    () => ({ load: () => loadExpectations(tabId), save: (e) => saveExpectation(tabId, e) }),
    [tabId],
  );
  const enrollment = useEnrollment({
    ask,
    store,
    portal: environment !== null && view.state !== null,
    // The sign-in link names the LMS the calls go to: the one the page calls.
    lms: chooseService('lms', environment, view.state?.loads[0]?.snapshots ?? [])?.origin ?? null,
    state: view.state,
    reload: actions.reload,
    now: Date.now,
  });
  // The lines at rest change with the LMS's answer, and their countdowns once a minute ("7h 59m" left,
  // as the countdown in the open row says: the end of the current minute).
  const minute = Math.floor(Date.now() / 60_000);
  const { load, byName } = enrollment;
  const describeFlag = useMemo(() => {
    const canEnrollSelf = load.status === 'ready' && load.data.permissions.canEnrollSelf;
    return (row: FlagRow): FlagSummary | null => {
      const name = row.flag ?? flagNameFor(row.key);
      const info = name ? byName.get(name) : undefined;
      return info ? flagSummary(info, canEnrollSelf, (minute + 1) * 60_000) : null;
    };
  }, [load, byName, minute]);
  // Testing mode for a flag whose Waffle `testing` is on (and `everyone` unset, which would win), on
  // the LMS the page calls.
  const renderFlagExtra = (row: FlagRow) => {
    const name = row.flag ?? flagNameFor(row.key);
    const info = name ? byName.get(name) : undefined;
    const lms = enrollment.lms;
    const testing =
      lms !== null && info?.criteria.testing && info.criteria.everyone === null ? (
        <TestingMode flag={info.name} lms={lms} cookies={browserTestingCookies} reload={actions.reload} />
      ) : null;
    return (
      <>
        <FlagEnrollment enrollment={enrollment} row={row} />
        {testing}
      </>
    );
  };
  const names = useMemo(() => shownFlagNames(view.state), [view.state]);
  const { refresh } = enrollment;
  const refreshMine = useCallback(async () => {
    await refresh();
  }, [refresh]);
  return (
    <App
      view={view}
      actions={actions}
      renderFlagExtra={renderFlagExtra}
      describeFlag={describeFlag}
      afterFlags={
        <>
          <ViewAs
            ask={ask}
            enroll={enrollment.enroll}
            mine={enrollment.load.status === 'ready' ? enrollment.load.data : null}
            names={names}
            pageUrl={pageUrl}
            environment={environmentText(context, pageUrl)}
            now={Date.now}
            copy={actions.copyReport}
            onEnrolled={refreshMine}
          />
          <EnrollmentPanel enrollment={enrollment} />
        </>
      }
    />
  );
}

const root = document.getElementById('app');
if (root) render(<Popup />, root);

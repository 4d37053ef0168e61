// A portal page built on the real `@edx/frontend-platform` auth client from npm, as every Open edX MFE
// is: it configures `AxiosJwtAuthService` against the LMS named by the page (`data-lms` on <html>),
// reads the signed-in user from the JWT cookie (refreshing it through `POST /login_refresh` when it
// has expired), hydrates the user from `/api/user/v1/accounts/<username>`, then fetches
// `enterprise-learner/` with `getAuthenticatedHttpClient()`. It shows what it got as text.
// Bundled by esbuild for the e2e suite only (frontend-platform.e2e.ts); never part of the extension.
import {
  AxiosJwtAuthService,
  configure,
  fetchAuthenticatedUser,
  getAuthenticatedHttpClient,
  hydrateAuthenticatedUser,
  getAuthenticatedUser,
} from '@edx/frontend-platform/auth';

const lms = document.documentElement.dataset['lms'] ?? '';
const slug = location.pathname.split('/')[1] ?? '';
const out = document.getElementById('app')!;

function show(testId: string, text: string): void {
  const p = document.createElement('p');
  p.dataset['testid'] = testId;
  p.textContent = text;
  out.appendChild(p);
}

/** What an MFE's logging service does (NewRelic in production), shown on the page instead. */
const loggingService = {
  logInfo: (message: unknown) => show('log-info', String(message)),
  logError: (message: unknown) => show('log-error', String(message instanceof Error ? message.message : message)),
  setCustomAttribute: (name: string, value: unknown) => show('log-attribute', `${name}=${String(value)}`),
};

async function main(): Promise<void> {
  configure(AxiosJwtAuthService, {
    loggingService,
    config: {
      BASE_URL: location.origin,
      LMS_BASE_URL: lms,
      LOGIN_URL: `${lms}/login`,
      LOGOUT_URL: `${lms}/logout`,
      REFRESH_ACCESS_TOKEN_ENDPOINT: `${lms}/login_refresh`,
      ACCESS_TOKEN_COOKIE_NAME: 'edx-jwt-cookie-header-payload',
      CSRF_TOKEN_API_PATH: '/csrf/api/v1/token',
    },
  });
  const user = (await fetchAuthenticatedUser()) as { username: string } | null;
  if (!user) {
    show('signed-out', 'Not signed in.');
    return;
  }
  await hydrateAuthenticatedUser();
  const hydrated = getAuthenticatedUser() as { username: string; name?: string; email?: string };
  show('user', `${hydrated.username} · ${hydrated.name ?? ''} · ${hydrated.email ?? ''}`);
  const response = await getAuthenticatedHttpClient().get(`${lms}/enterprise/api/v1/enterprise-learner/`, {
    params: { username: user.username, page: 1 },
  });
  const features = (response.data as { enterprise_features?: Record<string, boolean> }).enterprise_features ?? {};
  const list = document.createElement('ul');
  list.dataset['testid'] = 'features';
  for (const [key, on] of Object.entries(features).sort()) {
    const li = document.createElement('li');
    li.dataset['key'] = key;
    li.dataset['on'] = String(on);
    li.textContent = `${key}: ${on}`;
    list.appendChild(li);
  }
  out.appendChild(list);
  show('customer', slug);
}

main().then(
  () => document.body.setAttribute('data-loaded', 'true'),
  (error: unknown) => {
    show('error', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    document.body.setAttribute('data-loaded', 'true');
  },
);

// The console bundle's entry: finds how this console is signed in — the local hub's cookie session (opened by its
// login URL), or the deployed stack's OpenID Connect provider named by /console/config.json — and renders the app
// into the page's #app element. The page (index.html) loads this file and the style sheet, and nothing else.
import { render } from 'preact';
import { createAdminApi, type AdminApi, type ApiError } from './api/client';
import { browserOidcEnvironment, createOidcSignIn, loadConsoleConfig } from './api/oidc';
import { App, type ConsoleAuth } from './app';
import { ErrorNotice } from './components/error-notice';
import './styles.css';

/** The admin API as this console reaches it, and its sign-in when it has one of its own. */
async function connect(): Promise<{ api: AdminApi; auth?: ConsoleAuth }> {
  const cookie = createAdminApi();
  const hasSession = await cookie.session().then(
    () => true,
    (error: ApiError) => error.code !== 'unauthenticated',
  );
  if (hasSession) return { api: cookie };
  const env = browserOidcEnvironment();
  const config = await loadConsoleConfig(env);
  if (!config) return { api: cookie };
  const oidc = createOidcSignIn(config, env);
  await oidc.completeIfReturning();
  return { api: createAdminApi(undefined, config.adminApiBaseUrl, () => oidc.accessToken()), auth: oidc };
}

const root = document.getElementById('app');
if (root)
  connect().then(
    ({ api, auth }) => render(<App api={api} auth={auth} />, root),
    (error: unknown) =>
      render(
        <main id="main">
          <ErrorNotice error={{ message: `signing in failed: ${(error as Error).message}`, hint: 'reload the console to sign in again' }} />
        </main>,
        root,
      ),
  );

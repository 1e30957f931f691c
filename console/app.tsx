// The console's frame: who is signed in, the navigation between the panel's tabs, the long actions in progress,
// and the screen the address names. Without a session it says how to get one instead of showing empty screens.
import type { SessionResponse } from '../shared/admin/api-types';
import type { AdminApi } from './api/client';
import { ErrorNotice } from './components/error-notice';
import { SyncTracker } from './components/sync-progress';
import { ApiContext, useAction, useApi, useLoad } from './hooks';
import { href, useRoute, type Route } from './router';
import { AddRepositories } from './screens/add-repositories';
import { Dashboard } from './screens/dashboard';
import { Events } from './screens/events';
import { Models } from './screens/models';
import { Provider } from './screens/provider';
import { Repositories } from './screens/repositories';
import { RepositoryDetail } from './screens/repository-detail';

const TABS: ReadonlyArray<{ label: string; route: Route; screens: readonly Route['screen'][] }> = [
  { label: 'Dashboard', route: { screen: 'dashboard' }, screens: ['dashboard'] },
  { label: 'Git Provider', route: { screen: 'provider' }, screens: ['provider'] },
  { label: 'Repositories', route: { screen: 'repositories' }, screens: ['repositories', 'add-repositories', 'repository'] },
  { label: 'Events', route: { screen: 'events' }, screens: ['events'] },
  { label: 'Models', route: { screen: 'models' }, screens: ['models'] },
];

/** The deployed console's own sign-in (console/api/oidc.ts); absent locally, where the login URL opened a session. */
export interface ConsoleAuth {
  signIn(): Promise<void>;
  signOut(): Promise<void>;
}

export function App({ api, auth }: { api: AdminApi; auth?: ConsoleAuth }) {
  return (
    <ApiContext.Provider value={api}>
      <Shell auth={auth} />
    </ApiContext.Provider>
  );
}

function Shell({ auth }: { auth?: ConsoleAuth }) {
  const route = useRoute();
  const session = useLoad((api) => api.session(), 'session');
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <span class="brand">Model Hub</span>
        <nav aria-label="Console">
          <ul class="tabs">
            {TABS.map((tab) => (
              <li key={tab.label}>
                <a href={href(tab.route)} aria-current={tab.screens.includes(route.screen) ? 'page' : undefined}>
                  {tab.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {session.data && <SessionBadge session={session.data} auth={auth} />}
      </header>
      <main id="main" tabIndex={-1}>
        {session.error ? (
          <>
            <ErrorNotice error={session.error} />
            {auth && session.error.code === 'unauthenticated' && (
              <button type="button" class="primary" onClick={() => void auth.signIn()}>
                Sign in
              </button>
            )}
          </>
        ) : (
          session.data && (
            <>
              <SyncTracker />
              <Screen route={route} />
            </>
          )
        )}
      </main>
    </div>
  );
}

function SessionBadge({ session, auth }: { session: SessionResponse; auth?: ConsoleAuth }) {
  const api = useApi();
  const logout = useAction();
  return (
    <div class="session" title={session.hub.description}>
      <span>{session.user}</span>
      <button
        type="button"
        class="link-button"
        disabled={logout.busy}
        onClick={() => void (auth ? auth.signOut() : logout.run(() => api.post('/session/logout')).then(() => window.location.reload()))}
      >
        Sign out
      </button>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'dashboard':
      return <Dashboard />;
    case 'provider':
      return <Provider />;
    case 'repositories':
      return <Repositories />;
    case 'add-repositories':
      return <AddRepositories />;
    case 'repository':
      return <RepositoryDetail key={route.uuid} uuid={route.uuid} />;
    case 'events':
      return <Events repository={route.repository} request={route.request} />;
    case 'models':
      return <Models key={route.q ?? ''} uuid={route.uuid} path={route.path} q={route.q} />;
  }
}

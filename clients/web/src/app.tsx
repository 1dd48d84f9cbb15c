/** The shell: session, the one urql client, navigation and routes. */
import { type ComponentType, useCallback, useEffect, useMemo, useState } from 'react';
import { Provider } from 'urql';
import { createApiClient } from './api/client.js';
import { LOGOUT } from './api/queries.js';
import { AuthContext } from './auth/auth-context.js';
import { hasRole } from './auth/grants.js';
import { LoginPage } from './auth/login-page.js';
import { loadSession, type Role, type Session, saveSession } from './auth/session.js';
import { MonitorBanner } from './components/monitor-banner.js';
import { Link, usePath } from './components/router.js';
import { AdminPage } from './pages/admin.js';
import { AuditPage } from './pages/audit.js';
import { ChecksPage } from './pages/checks.js';
import { ComingLaterPage } from './pages/coming-later.js';
import { GroupsPage } from './pages/groups.js';
import { HostPage } from './pages/host.js';
import { HostsPage } from './pages/hosts.js';

interface Route {
  path: string;
  label: string;
  page: ComponentType<{ param?: string }>;
  minRole?: Role;
  /** Not built yet: shown in the navigation, greyed, so the layout is ready for it. */
  later?: boolean;
}

// Navigation order; adding a page is one line here.
const ROUTES: Route[] = [
  { path: '/', label: 'Hosts', page: HostsPage },
  { path: '/groups', label: 'Groups', page: GroupsPage },
  { path: '/checks', label: 'Checks', page: ChecksPage },
  { path: '/audit', label: 'Audit log', page: AuditPage },
  { path: '/agents', label: 'Agents', page: ComingLaterPage, later: true },
  { path: '/projects', label: 'Projects', page: ComingLaterPage, later: true },
  { path: '/jobs', label: 'Jobs', page: ComingLaterPage, later: true },
  { path: '/admin', label: 'Users & tokens', page: AdminPage, minRole: 'ADMIN' },
];

function match(pathname: string): { route: Route; param?: string } {
  const [, first = '', second] = pathname.split('/');
  if (first === 'hosts' && second) return { route: { path: '/hosts', label: 'Host', page: HostPage }, param: decodeURIComponent(second) };
  const route = ROUTES.find((r) => r.path === `/${first}`) ?? ROUTES[0]!;
  return { route, param: second ? decodeURIComponent(second) : undefined };
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const logout = useCallback(() => {
    saveSession(null);
    setSession(null);
  }, []);
  if (!session) {
    return (
      <LoginPage
        onLogin={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  return <Shell session={session} onLogout={logout} />;
}

function Shell({ session, onLogout }: { session: Session; onLogout(): void }) {
  const api = useMemo(() => createApiClient(session.token, onLogout), [session.token, onLogout]);
  useEffect(() => () => api.dispose(), [api]);
  const path = usePath();
  const { route, param } = match(path.split('?')[0]!);
  const Page = route.page;
  const logout = useCallback(() => {
    // Revoke the token on the server too; the session ends locally whatever the answer.
    void api.client.mutation(LOGOUT, {}).toPromise().finally(onLogout);
  }, [api, onLogout]);
  const auth = useMemo(() => ({ user: session.user, logout }), [session.user, logout]);
  const allowed = !route.minRole || hasRole(session.user, route.minRole);
  return (
    <AuthContext.Provider value={auth}>
      <Provider value={api.client}>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="top">
          <span className="brand">Corral</span>
          <nav aria-label="Main">
            <ul>
              {ROUTES.filter((r) => !r.minRole || hasRole(session.user, r.minRole)).map((r) => (
                <li key={r.path}>
                  <Link to={r.path} aria-current={r === route ? 'page' : undefined} className={r.later ? 'later' : undefined}>
                    {r.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <span className="who">
            {session.user.username} <small>({session.user.role?.toLowerCase() ?? 'no role'})</small>
          </span>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <MonitorBanner />
          {allowed ? <Page key={route.path} param={param} /> : <p>You do not have access to this page.</p>}
        </main>
      </Provider>
    </AuthContext.Provider>
  );
}

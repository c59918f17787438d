/**
 * The web UI's root: learns from the server whether authentication is on and who is signed in,
 * shows the sign-in page when needed, and routes by the URL's hash (`#/models/<name>`,
 * `#/models/<name>/versions/<v>`, `#/experiments/<id>/runs/<run>`: the links the MLflow client
 * prints), so every page has a link that works from a bookmark.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { flowreg, messageOf, setCsrf, whenUnauthenticated } from './api';
import { AdminPage } from './admin';
import { Session, type SessionInfo } from './common';
import { ModelPage } from './model';
import { ModelsPage } from './models';
import { RunPage, VersionPage } from './version';
import { hasWebhooks, WebhooksPage } from './webhooks';

type Route =
  | { page: 'models' }
  | { page: 'model'; name: string }
  | { page: 'version'; name: string; version: string }
  | { page: 'run'; experimentId: string; runId: string }
  | { page: 'admin' }
  | { page: 'webhooks' }
  | { page: 'missing'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const parts = path.split('/').filter((p) => p !== '').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'models')) return { page: 'models' };
  if (parts[0] === 'models' && parts.length === 2) return { page: 'model', name: parts[1] as string };
  if (parts[0] === 'models' && parts.length === 4 && parts[2] === 'versions') return { page: 'version', name: parts[1] as string, version: parts[3] as string };
  if (parts[0] === 'experiments' && parts.length === 4 && parts[2] === 'runs') return { page: 'run', experimentId: parts[1] as string, runId: parts[3] as string };
  if (parts[0] === 'admin' && parts.length === 1) return { page: 'admin' };
  if (parts[0] === 'webhooks' && parts.length === 1) return { page: 'webhooks' };
  return { page: 'missing', path };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

interface SessionAnswer extends SessionInfo {
  csrf_token?: string;
  csrf_header?: string;
}

function adopt(answer: SessionAnswer): SessionInfo {
  setCsrf(answer.csrf_token && answer.csrf_header ? { header: answer.csrf_header, token: answer.csrf_token } : undefined);
  return { authentication: answer.authentication, ...(answer.user ? { user: answer.user } : {}) };
}

function Login({ signedIn }: { signedIn: (s: SessionInfo) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <main class="login">
      <h1>flowreg</h1>
      <form
        aria-label="sign in"
        onSubmit={async (e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget as HTMLFormElement);
          setBusy(true);
          setError(undefined);
          try {
            signedIn(adopt(await flowreg<SessionAnswer>('POST', 'session', { username: String(data.get('username')), password: String(data.get('password')) })));
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          User name
          <input name="username" autocomplete="username" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </main>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'models':
      return <ModelsPage />;
    case 'model':
      return <ModelPage key={route.name} name={route.name} />;
    case 'version':
      return <VersionPage key={`${route.name}/${route.version}`} name={route.name} version={route.version} />;
    case 'run':
      return <RunPage key={route.runId} experimentId={route.experimentId} runId={route.runId} />;
    case 'admin':
      return <AdminPage />;
    case 'webhooks':
      return <WebhooksPage />;
    default:
      return (
        <p>
          No page at <code>#/{route.path}</code>. <a href="#/models">All models</a>
        </p>
      );
  }
}

function App() {
  const [session, setSession] = useState<SessionInfo | 'loading' | { failed: string }>('loading');
  const hash = useHash();
  const [webhooks, setWebhooks] = useState(false);
  const signedIn = typeof session === 'object' && 'authentication' in session && (!session.authentication || session.user !== undefined);
  const who = signedIn && typeof session === 'object' && 'authentication' in session ? (session.user?.username ?? '') : undefined;
  useEffect(() => {
    // The Webhooks link only where the server has the API and the user may use it (admins).
    if (who === undefined) setWebhooks(false);
    else void hasWebhooks().then(setWebhooks);
  }, [who]);
  useEffect(() => {
    whenUnauthenticated(() => setSession((s) => (typeof s === 'object' && 'authentication' in s ? { authentication: true } : s)));
    flowreg<SessionAnswer>('GET', 'session').then(
      (a) => setSession(adopt(a)),
      (err) => setSession({ failed: messageOf(err) }),
    );
  }, []);
  if (session === 'loading') return <p class="muted">Loading…</p>;
  if ('failed' in session) return <p class="error">The server did not answer: {session.failed}</p>;
  if (session.authentication && !session.user) return <Login signedIn={setSession} />;
  const route = parseHash(hash);
  return (
    <Session.Provider value={session}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/models">
          flowreg
        </a>
        <nav aria-label="main">
          <a href="#/models" aria-current={route.page === 'models' ? 'page' : undefined}>
            Models
          </a>
          {webhooks ? (
            <a href="#/webhooks" aria-current={route.page === 'webhooks' ? 'page' : undefined}>
              Webhooks
            </a>
          ) : null}
          {session.user?.is_admin ? (
            <a href="#/admin" aria-current={route.page === 'admin' ? 'page' : undefined}>
              Admin
            </a>
          ) : null}
        </nav>
        {session.user ? (
          <span class="who">
            <span aria-label="signed in as">{session.user.username}</span>
            {session.user.is_admin ? <span class="chip">admin</span> : null}
            <button
              type="button"
              onClick={async () => {
                try {
                  await flowreg('DELETE', 'session');
                } finally {
                  setCsrf(undefined);
                  setSession({ authentication: true });
                }
              }}
            >
              Sign out
            </button>
          </span>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </Session.Provider>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);

import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { gql, token } from './api';
import { PROMOTION_EVENT_TYPES, useRegistryEvents } from './live';
import { Deployments } from './pages/Deployments';
import { Inbox } from './pages/Inbox';
import { ModelList } from './pages/ModelList';
import { ModelPage } from './pages/ModelPage';
import { RequestPage } from './pages/RequestPage';
import { Search } from './pages/Search';
import { Verify } from './pages/Verify';
import { VersionPage } from './pages/VersionPage';
import { Webhooks } from './pages/Webhooks';
import { EMPTY_SEARCH, href, useRoute, useTitle, type Route } from './router';
import { SessionProvider, useSession } from './session';

// The two heavy pages (charts; the graph layout and renderer) load when first opened.
const Analytics = lazy(() => import('./pages/Analytics').then((m) => ({ default: m.Analytics })));
const Lineage = lazy(() => import('./pages/Lineage').then((m) => ({ default: m.Lineage })));

function TokenBar() {
  const { viewer, loading } = useSession();
  const [draft, setDraft] = useState('');
  if (token.get()) {
    return (
      <div className="token">
        <span className="who" data-testid="signed-in">
          {loading ? (
            'checking token…'
          ) : viewer ? (
            <>
              signed in as <b>{viewer.name}</b> <span className="badge role">{viewer.role}</span>
            </>
          ) : (
            'token not accepted'
          )}
        </span>
        <button
          type="button"
          onClick={() => {
            token.set('');
            location.reload();
          }}
        >
          forget token
        </button>
      </div>
    );
  }
  return (
    <form
      className="token"
      onSubmit={(e) => {
        e.preventDefault();
        token.set(draft.trim());
        // A new principal: every page, subscription and permission starts over.
        location.reload();
      }}
    >
      <input
        type="password"
        placeholder="paste API token"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        aria-label="API token"
        autoComplete="off"
      />
      <button type="submit">use token</button>
    </form>
  );
}

/** The number of requests waiting for the signed-in principal, kept live. */
function InboxCount() {
  const { viewer } = useSession();
  const [n, setN] = useState<{ count: number; more: boolean } | null>(null);
  const [tick, setTick] = useState(0);
  useRegistryEvents(
    PROMOTION_EVENT_TYPES,
    () => true,
    () => setTick((t) => t + 1),
    () => setTick((t) => t + 1),
  );
  useEffect(() => {
    if (!viewer) return;
    let live = true;
    gql<{ promotionRequests: { edges: unknown[]; pageInfo: { hasNextPage: boolean } } }>(
      'query InboxCount { promotionRequests(filter: { approvableByViewer: true }, first: 50) { edges { cursor } pageInfo { hasNextPage } } }',
    ).then(
      (d) => live && setN({ count: d.promotionRequests.edges.length, more: d.promotionRequests.pageInfo.hasNextPage }),
      () => live && setN(null),
    );
    return () => {
      live = false;
    };
  }, [viewer, tick]);
  if (!n || n.count === 0) return null;
  return (
    <span className="count" data-testid="inbox-count" aria-label={`${n.count}${n.more ? ' or more' : ''} waiting`}>
      {n.count}
      {n.more ? '+' : ''}
    </span>
  );
}

const NAV: { to: string; label: string; pages: Route['page'][]; admin?: boolean }[] = [
  { to: href.models(), label: 'Models', pages: ['models', 'model', 'version'] },
  { to: href.inbox(), label: 'Inbox', pages: ['inbox', 'request'] },
  { to: href.search(EMPTY_SEARCH), label: 'Search', pages: ['search'] },
  { to: href.deployments(), label: 'Deployments', pages: ['deployments'] },
  { to: href.analytics(), label: 'Analytics', pages: ['analytics'] },
  { to: href.verify(), label: 'Verify', pages: ['verify'] },
  { to: href.webhooks(), label: 'Webhooks', pages: ['webhooks'], admin: true },
];

const ANONYMOUS_KEY = 'pedigree.anonymous';

/** Without a token nothing is asked of the API (it would answer 401): the page says how to start. */
function SignIn({ onAnonymous }: { onAnonymous: () => void }) {
  useTitle('Sign in');
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Pedigree</h1>
      <p>
        Paste an API token at the top of the page to start. It is kept for this tab only and sent with every request.
      </p>
      <p className="muted small">
        Tokens come from an administrator (<code>npm run token -- create --name you --role VIEWER</code>). A server
        started with <code>PEDIGREE_ANONYMOUS_READ=true</code> answers reads without one:{' '}
        <button
          type="button"
          className="link"
          onClick={() => {
            sessionStorage.setItem(ANONYMOUS_KEY, '1');
            onAnonymous();
          }}
        >
          continue without a token
        </button>
      </p>
    </section>
  );
}

function Shell() {
  const route = useRoute();
  const { viewer } = useSession();
  const [anonymous, setAnonymous] = useState(() => sessionStorage.getItem(ANONYMOUS_KEY) === '1');
  const main = useRef<HTMLElement>(null);
  // A new page moves focus to its content, as a page load would (screen readers hear the new title).
  const first = useRef(true);
  const routeModel = route.page === 'model' || route.page === 'version' ? route.name : null;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
    scrollTo(0, 0);
  }, [route.page, routeModel]);
  return (
    <div className="app">
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header>
        <a className="brand" href={href.models()}>
          Pedigree
        </a>
        <nav aria-label="main">
          {NAV.filter((n) => !n.admin || viewer?.allowedFields.includes('Mutation.registerWebhook')).map((n) => (
            <a
              key={n.label}
              href={n.to}
              className={n.pages.includes(route.page) ? 'active' : ''}
              aria-current={n.pages.includes(route.page) ? 'page' : undefined}
            >
              {n.label}
              {n.label === 'Inbox' && viewer && <InboxCount />}
            </a>
          ))}
          <LineageJump />
        </nav>
        <TokenBar />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {!token.get() && !anonymous ? (
          <SignIn onAnonymous={() => setAnonymous(true)} />
        ) : (
          <Suspense fallback={<p className="muted">loading…</p>}>
            {route.page === 'models' && <ModelList />}
            {route.page === 'model' && <ModelPage key={route.name} name={route.name} />}
            {route.page === 'version' && (
              <VersionPage key={`${route.name}/${route.version}`} name={route.name} version={route.version} />
            )}
            {route.page === 'lineage' && (
              <Lineage id={route.id} direction={route.direction} depth={route.depth} expand={route.expand} />
            )}
            {route.page === 'inbox' && <Inbox />}
            {route.page === 'request' && <RequestPage key={route.id} id={route.id} />}
            {route.page === 'search' && <Search query={route.query} />}
            {route.page === 'deployments' && <Deployments at={route.at} />}
            {route.page === 'verify' && <Verify />}
            {route.page === 'webhooks' && <Webhooks />}
            {route.page === 'analytics' && <Analytics />}
          </Suspense>
        )}
      </main>
    </div>
  );
}

/** Lineage from any id: a model version, dataset version, run or prediction id. */
function LineageJump() {
  const [id, setId] = useState('');
  return (
    <form
      className="jump"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) location.hash = href.lineage(id.trim());
      }}
    >
      <input
        placeholder="lineage of an id (version, dataset, prediction)"
        value={id}
        onChange={(e) => setId(e.target.value)}
        aria-label="lineage of an id"
      />
    </form>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

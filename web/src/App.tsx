import { useState } from 'react';
import { token } from './api';
import { Analytics } from './pages/Analytics';
import { Lineage } from './pages/Lineage';
import { ModelList } from './pages/ModelList';
import { ModelPage } from './pages/ModelPage';
import { href, useRoute } from './router';

function TokenBar() {
  const [saved, setSaved] = useState(token.get());
  const [draft, setDraft] = useState('');
  return (
    <form
      className="token"
      onSubmit={(e) => {
        e.preventDefault();
        token.set(draft.trim());
        setSaved(draft.trim());
        setDraft('');
        location.reload();
      }}
    >
      {saved ? (
        <>
          <span className="muted">token set for this tab</span>
          <button type="button" onClick={() => { token.set(''); setSaved(''); location.reload(); }}>forget</button>
        </>
      ) : (
        <>
          <input type="password" placeholder="paste API token" value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="API token" />
          <button type="submit">use token</button>
        </>
      )}
    </form>
  );
}

export function App() {
  const route = useRoute();
  return (
    <div className="app">
      <header>
        <a className="brand" href={href.models()}>Pedigree</a>
        <nav>
          <a href={href.models()} className={route.page === 'models' || route.page === 'model' ? 'active' : ''}>Models</a>
          <a href={href.analytics()} className={route.page === 'analytics' ? 'active' : ''}>Analytics</a>
          <LineageJump />
        </nav>
        <TokenBar />
      </header>
      <main>
        {route.page === 'models' && <ModelList />}
        {route.page === 'model' && <ModelPage key={route.name} name={route.name} />}
        {route.page === 'lineage' && <Lineage id={route.id} direction={route.direction} depth={route.depth} />}
        {route.page === 'analytics' && <Analytics />}
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
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) location.hash = href.lineage(id.trim());
      }}
    >
      <input placeholder="lineage of id (version, dataset, prediction)" value={id} onChange={(e) => setId(e.target.value)} aria-label="lineage id" />
    </form>
  );
}

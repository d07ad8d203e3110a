import { useEffect, useState } from 'react';
import { gql } from '../api';
import { href, useTitle } from '../router';
import { AliasBadge, ErrorBox, Pager, StageBadge, useAsync } from '../ui';

const PAGE = 20;
const Q = `query Models($first: Int, $after: String, $filter: RegisteredModelFilter) {
  registeredModels(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { name description owner updatedAt latestVersion { version semver stage } aliases { alias version { version stage } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface ModelRow {
  name: string;
  description: string | null;
  owner: string | null;
  updatedAt: string;
  latestVersion: { version: number; semver: string; stage: string } | null;
  aliases: { alias: string; version: { version: number; stage: string } }[];
}
interface Page {
  registeredModels: {
    totalCount: number;
    edges: { node: ModelRow }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export function ModelList() {
  useTitle('Models');
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  // A stack of cursors: the page we are on is after the last one.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(search.trim());
      setCursors([null]);
    }, 250);
    return () => clearTimeout(t);
  }, [search]);
  const after = cursors.at(-1) ?? null;
  const { data, error, loading } = useAsync(
    () => gql<Page>(Q, { first: PAGE, after, filter: query ? { nameContains: query } : null }),
    [query, after],
  );
  const page = data?.registeredModels;
  return (
    <section>
      <h1>Models</h1>
      <input
        className="search"
        placeholder="search models by name"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        aria-label="search models"
      />
      <ErrorBox error={error} />
      {page && (
        <>
          <p className="muted">
            {page.totalCount} model{page.totalCount === 1 ? '' : 's'}
            {query && ` matching “${query}”`}
          </p>
          <table className="models">
            <caption className="sr-only">Registered models by name</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest</th>
                <th scope="col">Aliases</th>
                <th scope="col">Owner</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {page.edges.map(({ node: m }) => (
                <tr key={m.name} data-model={m.name}>
                  <td>
                    <a href={href.model(m.name)}>{m.name}</a>
                    {m.description && <div className="muted small">{m.description}</div>}
                  </td>
                  <td>
                    {m.latestVersion ? (
                      <>
                        v{m.latestVersion.version} <span className="muted">{m.latestVersion.semver}</span>{' '}
                        <StageBadge stage={m.latestVersion.stage} />
                      </>
                    ) : (
                      <span className="muted">no versions</span>
                    )}
                  </td>
                  <td>
                    {m.aliases.map((a) => (
                      <AliasBadge key={a.alias} alias={a.alias} version={a.version.version} />
                    ))}
                  </td>
                  <td>{m.owner ?? ''}</td>
                  <td className="small">{new Date(m.updatedAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            canBack={cursors.length > 1}
            canForward={page.pageInfo.hasNextPage}
            busy={loading}
            label={`page ${cursors.length}`}
            onBack={() => setCursors((c) => c.slice(0, -1))}
            onForward={() => setCursors((c) => [...c, page.pageInfo.endCursor])}
          />
        </>
      )}
      {loading && !page && <p className="muted">loading…</p>}
    </section>
  );
}

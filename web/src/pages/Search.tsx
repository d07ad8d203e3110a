import { useEffect, useState } from 'react';
import { fmtNum, gql } from '../api';
import { EMPTY_SEARCH, href, useTitle, type SearchQuery } from '../router';
import { ErrorBox, Field, Pager, StageBadge, useAsync, TagList } from '../ui';

const SEARCH = `query Search($filter: ModelVersionFilter, $orderBy: [ModelVersionOrder!], $first: Int, $after: String) {
  searchModelVersions(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    totalCountIsExact
    edges { node { id version semver stage createdAt model { name } metrics { key value segment } tags { key value } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const PAGE = 20;
const STAGES = ['DEVELOPMENT', 'STAGING', 'CANARY', 'PRODUCTION', 'ARCHIVED'];
const OPS: [string, string][] = [
  ['GTE', '≥'],
  ['GT', '>'],
  ['LTE', '≤'],
  ['LT', '<'],
  ['EQ', '='],
];

interface Hit {
  id: string;
  version: number;
  semver: string;
  stage: string;
  model: { name: string };
  metrics: { key: string; value: number; segment: string | null }[];
  tags: { key: string; value: string }[];
}

/** The API filter for a search: only what is filled in. */
function filterOf(q: SearchQuery) {
  const value = Number(q.value);
  return {
    ...(q.model ? { modelName: q.model } : {}),
    ...(q.stage ? { stage: q.stage } : {}),
    ...(q.tagKey ? { tag: { key: q.tagKey, value: q.tagValue } } : {}),
    ...(q.metric && q.value !== '' && Number.isFinite(value) ? { metric: { key: q.metric, op: q.op, value } } : {}),
  };
}

/**
 * Versions across models by tag, metric threshold, stage and model, paged.
 * The whole state — filters and the pages walked — is the URL, so a search
 * is a link; the form only writes the URL.
 */
export function Search({ query }: { query: SearchQuery }) {
  useTitle('Search');
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  const after = query.cursors.at(-1) ?? null;
  const filter = filterOf(query);
  const ordered = query.metric && filter.metric;
  const q = useAsync(
    () =>
      gql<{
        searchModelVersions: {
          totalCount: number;
          totalCountIsExact: boolean;
          edges: { node: Hit }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(SEARCH, {
        filter,
        orderBy: ordered
          ? [{ field: 'METRIC', metricKey: query.metric, direction: 'DESC' }]
          : [{ field: 'CREATED_AT', direction: 'DESC' }],
        first: PAGE,
        after,
      }),
    [JSON.stringify(query)],
  );
  const go = (next: SearchQuery) => {
    location.hash = href.search(next);
  };
  const page = q.data?.searchModelVersions;
  const set = (patch: Partial<SearchQuery>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search versions</h1>
      <form
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...draft, cursors: [] });
        }}
      >
        <Field label="Model">
          {(id) => (
            <input id={id} value={draft.model} onChange={(e) => set({ model: e.target.value })} placeholder="any" />
          )}
        </Field>
        <Field label="Stage">
          {(id) => (
            <select id={id} value={draft.stage} onChange={(e) => set({ stage: e.target.value })}>
              <option value="">any</option>
              {STAGES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tag key">
          {(id) => <input id={id} value={draft.tagKey} onChange={(e) => set({ tagKey: e.target.value })} />}
        </Field>
        <Field label="Tag value">
          {(id) => <input id={id} value={draft.tagValue} onChange={(e) => set({ tagValue: e.target.value })} />}
        </Field>
        <Field label="Metric">
          {(id) => (
            <input
              id={id}
              value={draft.metric}
              onChange={(e) => set({ metric: e.target.value })}
              placeholder="e.g. auc"
            />
          )}
        </Field>
        <Field label="Comparison">
          {(id) => (
            <select id={id} value={draft.op} onChange={(e) => set({ op: e.target.value })}>
              {OPS.map(([op, sign]) => (
                <option key={op} value={op}>
                  {sign}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Threshold">
          {(id) => (
            <input
              id={id}
              type="number"
              step="any"
              value={draft.value}
              onChange={(e) => set({ value: e.target.value })}
            />
          )}
        </Field>
        <div className="buttons">
          <button type="submit" className="primary">
            Search
          </button>
          <button type="button" onClick={() => go(EMPTY_SEARCH)}>
            Clear
          </button>
        </div>
      </form>
      <ErrorBox error={q.error} />
      {page && (
        <>
          <p className="muted" data-testid="search-count">
            {/* The API counts up to its cap (10,000), then says the count is not exact. */}
            {page.totalCount}
            {page.totalCountIsExact ? '' : '+'} version{page.totalCount === 1 && page.totalCountIsExact ? '' : 's'} ·
            page {query.cursors.length + 1}
          </p>
          <table data-testid="search-results">
            <caption className="sr-only">Matching versions</caption>
            <thead>
              <tr>
                <th scope="col">model</th>
                <th scope="col">version</th>
                <th scope="col">stage</th>
                <th scope="col">metrics</th>
                <th scope="col">tags</th>
              </tr>
            </thead>
            <tbody>
              {page.edges.map(({ node: v }) => (
                <tr key={v.id} data-hit={`${v.model.name}/${v.version}`}>
                  <td>
                    <a href={href.model(v.model.name)}>{v.model.name}</a>
                  </td>
                  <td>
                    <a href={href.version(v.model.name, v.version)}>v{v.version}</a>{' '}
                    <span className="muted">{v.semver}</span>
                  </td>
                  <td>
                    <StageBadge stage={v.stage} />
                  </td>
                  <td className="small">
                    {v.metrics
                      .filter((m) => m.segment === null)
                      .map((m) => `${m.key} = ${fmtNum(m.value)}`)
                      .join(' · ')}
                  </td>
                  <td className="small">
                    <TagList tags={v.tags} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            canBack={query.cursors.length > 0}
            canForward={page.pageInfo.hasNextPage}
            busy={q.loading}
            onBack={() => go({ ...query, cursors: query.cursors.slice(0, -1) })}
            onForward={() => go({ ...query, cursors: [...query.cursors, page.pageInfo.endCursor!] })}
          />
        </>
      )}
    </section>
  );
}

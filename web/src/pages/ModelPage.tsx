import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, fmtTime, gql, isMissingField, subscribe } from '../api';
import { href } from '../router';
import { AliasBadge, ErrorBox, StageBadge, useAsync } from '../ui';

const MODEL = `query Model($name: String!) {
  registeredModel(name: $name) {
    name description owner createdAt updatedAt
    tags { key value }
    aliases { alias version { version } }
    latestVersion { version }
  }
}`;
const VERSIONS = `query Versions($name: String!, $first: Int, $after: String) {
  registeredModel(name: $name) {
    versions(first: $first, after: $after) {
      totalCount
      edges { node { id version semver stage createdAt createdBy metrics { key value segment } tags { key value } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
const HISTORY = `query AliasHistory($modelName: String!, $alias: String!, $first: Int, $after: String) {
  aliasHistory(modelName: $modelName, alias: $alias, first: $first, after: $after) {
    edges { node { sequence type at actor previousVersion version reason } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const ALIAS_AT = `query AliasAt($modelName: String!, $alias: String!, $at: DateTime!) {
  aliasAt(modelName: $modelName, alias: $alias, at: $at) { version semver stage }
}`;
const CARD = `query ModelCard($ref: ModelVersionRefInput!) {
  modelCard(ref: $ref) { markdown sections { title body generated } }
}`;
// The contract's AliasChanged operation, without an alias: every alias of the model.
const ALIAS_CHANGED = `subscription AliasChanged($modelName: String!, $alias: String, $after: String) {
  aliasChanged(modelName: $modelName, alias: $alias, after: $after) {
    sequence modelName alias previousVersion version at actor
  }
}`;

const VERSION_PAGE = 25;
const HISTORY_PAGE = 50;
const POLL_MS = 3000;

interface Model {
  name: string;
  description: string | null;
  owner: string | null;
  tags: { key: string; value: string }[];
  aliases: { alias: string; version: { version: number } }[];
  latestVersion: { version: number } | null;
}
interface Version {
  id: string;
  version: number;
  semver: string;
  stage: string;
  createdAt: string;
  createdBy: string;
  metrics: { key: string; value: number; segment: string | null }[];
  tags: { key: string; value: string }[];
}
interface Move {
  sequence: string;
  type: string;
  at: string;
  actor: string;
  previousVersion: number | null;
  version: number | null;
  reason?: string | null;
}
interface HistoryPage {
  aliasHistory: { edges: { node: Move }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
interface AliasEvent extends Move {
  modelName: string;
  alias: string;
}

export function ModelPage({ name }: { name: string }) {
  const model = useAsync(() => gql<{ registeredModel: Model | null }>(MODEL, { name }), [name]);
  // alias → version, kept live by the subscription (or polling).
  const [aliases, setAliases] = useState<Map<string, number>>(new Map());
  const [alias, setAlias] = useState<string | null>(null);
  const [live, setLive] = useState<'connecting' | 'websocket' | 'polling'>('connecting');
  const [moves, setMoves] = useState<Move[]>([]);
  const [historyCursor, setHistoryCursor] = useState<string | null>(null);
  const [historyMore, setHistoryMore] = useState(false);
  const [historyError, setHistoryError] = useState<unknown>(null);
  const aliasRef = useRef(alias);
  aliasRef.current = alias;

  const m = model.data?.registeredModel;
  useEffect(() => {
    if (!m) return;
    setAliases(new Map(m.aliases.map((a) => [a.alias, a.version.version])));
    setAlias((cur) => cur ?? (m.aliases.find((a) => a.alias === 'production') ?? m.aliases[0])?.alias ?? null);
  }, [m]);

  const addMoves = (ms: Move[]) =>
    setMoves((cur) => {
      const seen = new Set(cur.map((x) => x.sequence));
      return [...cur, ...ms.filter((x) => !seen.has(x.sequence))].sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1));
    });

  // The selected alias's history, oldest first, one page at a time.
  const loadHistory = async (after: string | null, replace: boolean) => {
    if (!alias) return;
    try {
      const r = await gql<HistoryPage>(HISTORY, { modelName: name, alias, first: HISTORY_PAGE, after });
      const got = r.aliasHistory.edges.map((e) => e.node);
      if (replace) setMoves(got);
      else addMoves(got);
      if (r.aliasHistory.pageInfo.endCursor) setHistoryCursor(r.aliasHistory.pageInfo.endCursor);
      setHistoryMore(r.aliasHistory.pageInfo.hasNextPage);
      setHistoryError(null);
    } catch (e) {
      setHistoryError(e);
    }
  };
  useEffect(() => {
    setMoves([]);
    setHistoryCursor(null);
    void loadHistory(null, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, alias]);

  // Live: aliasChanged over graphql-ws; a server without the subscription gets polled instead.
  const cursorRef = useRef(historyCursor);
  cursorRef.current = historyCursor;
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | null = null;
    // One catch-up read: aliases, and the selected alias's moves after the last one shown.
    const catchUp = async () => {
      try {
        const r = await gql<{ registeredModel: Model | null }>(MODEL, { name });
        if (r.registeredModel) setAliases(new Map(r.registeredModel.aliases.map((a) => [a.alias, a.version.version])));
      } catch {
        /* shown on the next successful load */
      }
      if (!aliasRef.current || historyMoreRef.current) return;
      try {
        const h = await gql<HistoryPage>(HISTORY, { modelName: name, alias: aliasRef.current, first: HISTORY_PAGE, after: cursorRef.current });
        addMoves(h.aliasHistory.edges.map((e) => e.node));
        if (h.aliasHistory.pageInfo.endCursor) setHistoryCursor(h.aliasHistory.pageInfo.endCursor);
      } catch {
        /* try again on the next tick */
      }
    };
    const startPolling = () => {
      setLive('polling');
      timer = setInterval(() => void catchUp(), POLL_MS);
    };
    let failed = false;
    const stop = subscribe<{ aliasChanged: AliasEvent }>(
      ALIAS_CHANGED,
      { modelName: name },
      ({ aliasChanged: e }) => {
        setLive('websocket');
        setAliases((cur) => {
          const next = new Map(cur);
          if (e.version == null) next.delete(e.alias);
          else next.set(e.alias, e.version);
          return next;
        });
        if (e.alias === aliasRef.current) addMoves([{ ...e, type: 'ALIAS_CHANGED' }]);
      },
      () => {
        if (failed) return;
        failed = true;
        startPolling();
      },
    );
    // No error within a moment means the subscription is accepted; one catch-up
    // read then covers moves made between the first load and the subscription.
    const ok = setTimeout(() => {
      if (failed) return;
      setLive('websocket');
      void catchUp();
    }, 1500);
    return () => {
      clearTimeout(ok);
      stop();
      if (timer) clearInterval(timer);
    };
  }, [name]);
  const historyMoreRef = useRef(historyMore);
  historyMoreRef.current = historyMore;

  if (model.error) return <ErrorBox error={model.error} />;
  if (!model.data) return <p className="muted">loading…</p>;
  if (!m) return <ErrorBox error={new Error(`No model named “${name}”.`)} />;

  const byVersion = new Map<number, string[]>();
  for (const [a, v] of aliases) byVersion.set(v, [...(byVersion.get(v) ?? []), a]);

  return (
    <section>
      <p><a href={href.models()}>← models</a></p>
      <h1>{m.name}</h1>
      {m.description && <p>{m.description}</p>}
      <p className="muted">
        {m.owner && <>owner {m.owner} · </>}
        {m.tags.map((t) => <span key={t.key} className="tag">{t.key}={t.value}</span>)}
      </p>
      <div className="aliases" data-testid="alias-badges">
        {[...aliases].sort().map(([a, v]) => <AliasBadge key={a} alias={a} version={v} />)}
        {aliases.size === 0 && <span className="muted">no aliases</span>}
      </div>
      <div className="grid">
        <div>
          <Versions name={name} aliasesByVersion={byVersion} />
        </div>
        <div>
          <h2>Alias timeline <span className={`live live-${live}`} data-testid="live-mode">{live === 'polling' ? `live: polling every ${POLL_MS / 1000} s` : live === 'websocket' ? 'live' : '…'}</span></h2>
          <select value={alias ?? ''} onChange={(e) => setAlias(e.target.value || null)} aria-label="alias">
            {[...new Set([...aliases.keys(), ...(alias ? [alias] : [])])].sort().map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
          <ErrorBox error={historyError} />
          <ol className="timeline" data-testid="alias-timeline">
            {[...moves].reverse().map((mv) => (
              <li key={mv.sequence} data-sequence={mv.sequence}>
                <span className="when">{fmtTime(mv.at)}</span>{' '}
                <b>{mv.actor}</b>{' '}
                {mv.version == null ? <>deleted (was v{mv.previousVersion})</> : <>{mv.previousVersion == null ? 'set to' : `v${mv.previousVersion} →`} <b className="to">v{mv.version}</b></>}
                {mv.type === 'ROLLBACK' && <span className="badge rollback">rollback</span>}
                {mv.reason && <span className="muted"> — {mv.reason}</span>}
              </li>
            ))}
            {alias && moves.length === 0 && <li className="muted">no moves</li>}
          </ol>
          {historyMore && <button onClick={() => void loadHistory(historyCursor, false)}>load newer moves</button>}
          {alias && <AliasAtPicker name={name} alias={alias} />}
          <PromotionRequests name={name} />
          <ModelCard name={name} />
        </div>
      </div>
    </section>
  );
}

function Versions({ name, aliasesByVersion }: { name: string; aliasesByVersion: Map<number, string[]> }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const { data, error, loading } = useAsync(
    () => gql<{ registeredModel: { versions: { totalCount: number; edges: { node: Version }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null }>(VERSIONS, { name, first: VERSION_PAGE, after }),
    [name, after],
  );
  const page = data?.registeredModel?.versions;
  return (
    <>
      <h2>Versions {page && <span className="muted">({page.totalCount})</span>}</h2>
      <ErrorBox error={error} />
      {page && (
        <table className="versions" data-testid="versions">
          <thead>
            <tr><th>#</th><th>semver</th><th>stage</th><th>metrics</th><th>tags</th><th>aliases</th><th>created</th><th></th></tr>
          </thead>
          <tbody>
            {page.edges.map(({ node: v }) => (
              <tr key={v.id} data-version={v.version}>
                <td>v{v.version}</td>
                <td>{v.semver}</td>
                <td><StageBadge stage={v.stage} /></td>
                <td className="small">{v.metrics.map((x) => <div key={`${x.key}/${x.segment ?? ''}`}>{x.key}{x.segment ? `[${x.segment}]` : ''} = {Number(x.value.toFixed(4))}</div>)}</td>
                <td className="small">{v.tags.map((t) => <span key={t.key} className="tag">{t.key}={t.value}</span>)}</td>
                <td>{(aliasesByVersion.get(v.version) ?? []).sort().map((a) => <AliasBadge key={a} alias={a} />)}</td>
                <td className="small">{fmtTime(v.createdAt)}<div className="muted">{v.createdBy}</div></td>
                <td><a href={href.lineage(v.id)}>lineage</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <div className="pager">
          <button disabled={cursors.length < 2 || loading} onClick={() => setCursors((c) => c.slice(0, -1))}>← previous</button>
          <button disabled={!page.pageInfo.hasNextPage || loading} onClick={() => setCursors((c) => [...c, page.pageInfo.endCursor])}>next →</button>
        </div>
      )}
    </>
  );
}

function AliasAtPicker({ name, alias }: { name: string; alias: string }) {
  const [at, setAt] = useState(() => new Date(Date.now() - 60_000).toISOString().slice(0, 19));
  const [result, setResult] = useState<{ version: number; semver: string; stage: string } | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      className="alias-at"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const r = await gql<{ aliasAt: { version: number; semver: string; stage: string } | null }>(ALIAS_AT, { modelName: name, alias, at: new Date(`${at}Z`).toISOString() });
          setResult(r.aliasAt);
          setError(null);
        } catch (err) {
          setError(err);
        }
      }}
    >
      <h3>What did <code>{alias}</code> point to at…</h3>
      <input type="datetime-local" step="1" value={at} onChange={(e) => setAt(e.target.value)} aria-label="instant (UTC)" /> <span className="muted">UTC</span>{' '}
      <button type="submit">look up</button>
      <ErrorBox error={error} />
      {result !== undefined && (
        <p data-testid="alias-at-result">{result ? <>v{result.version} ({result.semver}) <StageBadge stage={result.stage} /></> : <span className="muted">nothing: the alias did not exist then</span>}</p>
      )}
    </form>
  );
}

/** The model card, when the server has the modelCard query; otherwise the panel stays hidden. */
function ModelCard({ name }: { name: string }) {
  const { data, error } = useAsync(() => gql<{ modelCard: { markdown: string; sections: { title: string; body: string; generated: boolean }[] } | null }>(CARD, { ref: { modelName: name, alias: 'latest' } }), [name]);
  const card = data?.modelCard;
  const hidden = useMemo(() => isMissingField(error) || (error instanceof ApiError && error.code === 'NOT_FOUND'), [error]);
  if (hidden || (!card && !error)) return null;
  return (
    <div className="card" data-testid="model-card">
      <h2>Model card</h2>
      <ErrorBox error={error} />
      {card?.sections.map((s) => (
        <details key={s.title} open>
          <summary>{s.title}{s.generated && <span className="muted"> (generated)</span>}</summary>
          <pre>{s.body}</pre>
        </details>
      ))}
    </div>
  );
}

const REQUESTED = `query PromotionRequested($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { node { subjectId } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const REQUEST_FIELDS = 'id version status rule requestedBy requestedAt expiresAt decidedAt decidedBy reason target { stage alias } approvals { approver role asOwner at comment }';
const REQUEST_PAGE = 10;

interface PromotionRequest {
  id: string;
  version: number;
  status: string;
  rule: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  reason: string | null;
  target: { stage: string | null; alias: string | null };
  approvals: { approver: string; role: string; asOwner: boolean; at: string; comment: string | null }[];
}

/**
 * The model's promotion requests with their approvals: their ids come from
 * the audit log (PROMOTION_REQUESTED events), then one request fetches a page
 * of them by id. Hidden on a server without governance.
 */
function PromotionRequests({ name }: { name: string }) {
  const [after, setAfter] = useState<string | null>(null);
  const [items, setItems] = useState<PromotionRequest[]>([]);
  const { data, error } = useAsync(async () => {
    const log = await gql<{ auditLog: { edges: { node: { subjectId: string | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(REQUESTED, {
      filter: { modelName: name, types: ['PROMOTION_REQUESTED'] },
      first: REQUEST_PAGE,
      after,
    });
    const ids = log.auditLog.edges.map((e) => e.node.subjectId).filter((x): x is string => !!x);
    if (!ids.length) return { requests: [] as PromotionRequest[], pageInfo: log.auditLog.pageInfo };
    // Aliased fields r0…rN over numbered variables: the query text depends only on the count.
    const vars = ids.map((_, i) => `$i${i}: ID!`).join(', ');
    const fields = ids.map((_, i) => `r${i}: promotionRequest(id: $i${i}) { ${REQUEST_FIELDS} }`).join('\n');
    const got = await gql<Record<string, PromotionRequest | null>>(`query PromotionRequests(${vars}) {\n${fields}\n}`, Object.fromEntries(ids.map((id, i) => [`i${i}`, id])));
    return { requests: ids.map((_, i) => got[`r${i}`]).filter((r): r is PromotionRequest => !!r), pageInfo: log.auditLog.pageInfo };
  }, [name, after]);
  useEffect(() => {
    if (data) setItems((cur) => [...cur.filter((c) => !data.requests.some((r) => r.id === c.id)), ...data.requests]);
  }, [data]);
  if (isMissingField(error)) return null;
  if (!error && items.length === 0) return null;
  return (
    <div className="promotions" data-testid="promotion-requests">
      <h2>Promotion requests</h2>
      <ErrorBox error={error} />
      <ul className="requests">
        {[...items].reverse().map((r) => (
          <li key={r.id} data-request={r.id}>
            <span className={`badge status status-${r.status.toLowerCase()}`}>{r.status}</span> v{r.version} →{' '}
            {r.target.stage ? <StageBadge stage={r.target.stage} /> : <span className="badge alias">@{r.target.alias}</span>}
            <span className="muted small"> by {r.requestedBy}, {fmtTime(r.requestedAt)} · {r.rule.toLowerCase().replace(/_/g, ' ')}</span>
            {r.approvals.length > 0 && (
              <ul className="approvals small">
                {r.approvals.map((a) => (
                  <li key={`${a.approver}/${a.at}`}>
                    ✓ {a.approver} <span className="muted">({a.role.toLowerCase()}{a.asOwner ? ', owner' : ''}) {fmtTime(a.at)}</span>
                    {a.comment && <> — {a.comment}</>}
                  </li>
                ))}
              </ul>
            )}
            {r.decidedAt && <div className="muted small">{r.status.toLowerCase()} by {r.decidedBy} at {fmtTime(r.decidedAt)}{r.reason ? ` — ${r.reason}` : ''}</div>}
          </li>
        ))}
      </ul>
      {data?.pageInfo.hasNextPage && <button onClick={() => setAfter(data.pageInfo.endCursor)}>load newer requests</button>}
    </div>
  );
}

import { useEffect, useRef, useState } from 'react';
import { fmtNum, fmtTime, gql, subscribe } from '../api';
import { PromotionCard, REQUEST_FIELDS, type PromotionRequest } from '../components/PromotionCard';
import { TagEditor } from '../components/TagEditor';
import { MODEL_EVENT_TYPES, POLL_MS, useRegistryEvents } from '../live';
import { href, useTitle } from '../router';
import { useSession } from '../session';
import { Action, AliasBadge, ErrorBox, Field, LiveBadge, Pager, StageBadge, useAsync, TagList } from '../ui';

const MODEL = `query Model($name: String!) {
  registeredModel(name: $name) {
    name description owner owners protectedAliases createdAt updatedAt
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
// The contract's AliasChanged operation, without an alias: every alias of the model.
const ALIAS_CHANGED = `subscription AliasChanged($modelName: String!, $alias: String, $after: String) {
  aliasChanged(modelName: $modelName, alias: $alias, after: $after) {
    sequence type modelName alias previousVersion version at actor
  }
}`;
const REQUESTS = `query ModelRequests($filter: PromotionRequestFilter, $first: Int, $after: String) {
  promotionRequests(filter: $filter, first: $first, after: $after) {
    edges { node { ${REQUEST_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const SET_ALIAS = `mutation SetAlias($modelName: String!, $alias: String!, $version: Int!) {
  setRegisteredModelAlias(modelName: $modelName, alias: $alias, version: $version) { sequence }
}`;
const ROLLBACK = `mutation Rollback($modelName: String!, $alias: String!, $version: Int!, $reason: String!) {
  rollback(modelName: $modelName, alias: $alias, version: $version, reason: $reason) { sequence }
}`;
const SET_MODEL_TAG = `mutation SetModelTag($modelName: String!, $key: String!, $value: String!) { setRegisteredModelTag(modelName: $modelName, key: $key, value: $value) { name } }`;
const DELETE_MODEL_TAG = `mutation DeleteModelTag($modelName: String!, $key: String!) { deleteRegisteredModelTag(modelName: $modelName, key: $key) { name } }`;

const VERSION_PAGE = 25;
const HISTORY_PAGE = 50;

export interface Model {
  name: string;
  description: string | null;
  owner: string | null;
  owners: string[];
  protectedAliases: string[];
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

/**
 * Reloads everything a model's pages show when an event about the model
 * arrives (registryEvents), coalescing bursts; polls instead when the
 * subscription is unavailable. Returns a key that changes on each reload.
 */
export function useModelLive(name: string) {
  const [key, setKey] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const bump = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      setKey((k) => k + 1);
    }, 100);
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const mode = useRegistryEvents(MODEL_EVENT_TYPES, (e) => e.modelName === name, bump, bump);
  return { key, mode };
}

export function ModelPage({ name }: { name: string }) {
  useTitle(name, 'Models');
  const live = useModelLive(name);
  const model = useAsync(() => gql<{ registeredModel: Model | null }>(MODEL, { name }), [name], live.key);
  const { can } = useSession();
  // alias → version, kept live by aliasChanged (or polling).
  const [aliases, setAliases] = useState<Map<string, number>>(new Map());
  const [alias, setAlias] = useState<string | null>(null);
  const [aliasLive, setAliasLive] = useState<'connecting' | 'websocket' | 'polling'>('connecting');
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

  // By sequence; an entry of the history (it carries the reason) replaces the live event's shorter one.
  const addMoves = (ms: Move[]) =>
    setMoves((cur) => {
      const bySequence = new Map(cur.map((x) => [x.sequence, x]));
      for (const x of ms) if (!bySequence.has(x.sequence) || 'reason' in x) bySequence.set(x.sequence, x);
      return [...bySequence.values()].sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1));
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
  const historyMoreRef = useRef(historyMore);
  historyMoreRef.current = historyMore;
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | null = null;
    // One catch-up read: the selected alias's moves after the last one shown (the model query reloads on events).
    const catchUp = async () => {
      if (!aliasRef.current || historyMoreRef.current) return;
      try {
        const h = await gql<HistoryPage>(HISTORY, {
          modelName: name,
          alias: aliasRef.current,
          first: HISTORY_PAGE,
          after: cursorRef.current,
        });
        addMoves(h.aliasHistory.edges.map((e) => e.node));
        if (h.aliasHistory.pageInfo.endCursor) setHistoryCursor(h.aliasHistory.pageInfo.endCursor);
      } catch {
        /* try again on the next tick */
      }
    };
    let failed = false;
    const stop = subscribe<{ aliasChanged: AliasEvent }>(
      ALIAS_CHANGED,
      { modelName: name },
      ({ aliasChanged: e }) => {
        setAliasLive('websocket');
        setAliases((cur) => {
          const next = new Map(cur);
          if (e.version == null) next.delete(e.alias);
          else next.set(e.alias, e.version);
          return next;
        });
        if (e.alias === aliasRef.current) {
          // Shown at once; the history read after it adds what the event does not carry (a rollback's reason).
          addMoves([e]);
          void catchUp();
        } else if (!aliasRef.current) setAlias(e.alias);
      },
      () => {
        if (failed) return;
        failed = true;
        setAliasLive('polling');
        timer = setInterval(() => void catchUp(), POLL_MS);
      },
    );
    // No error within a moment means the subscription is accepted; one catch-up
    // read then covers moves made between the first load and the subscription.
    const ok = setTimeout(() => {
      if (failed) return;
      setAliasLive('websocket');
      void catchUp();
    }, 1500);
    return () => {
      clearTimeout(ok);
      stop();
      if (timer) clearInterval(timer);
    };
  }, [name]);

  if (model.error && !m) return <ErrorBox error={model.error} />;
  if (!model.data) return <p className="muted">loading…</p>;
  if (!m) return <ErrorBox error={new Error(`No model named “${name}”.`)} />;

  const byVersion = new Map<number, string[]>();
  for (const [a, v] of aliases) byVersion.set(v, [...(byVersion.get(v) ?? []), a]);
  const protectedSet = new Set(m.protectedAliases);
  const current = alias ? (aliases.get(alias) ?? null) : null;
  // Earlier targets of the selected alias: what a rollback may return to.
  const earlier = [
    ...new Set(moves.map((mv) => mv.version).filter((v): v is number => v !== null && v !== current)),
  ].sort((a, b) => b - a);

  return (
    <section aria-labelledby="model-title">
      <p>
        <a href={href.models()}>← models</a>
      </p>
      <h1 id="model-title">{m.name}</h1>
      {m.description && <p>{m.description}</p>}
      <p className="muted">
        {m.owner && <>team {m.owner} · </>}
        owners: {m.owners.length ? m.owners.join(', ') : 'none'} · protected aliases:{' '}
        {m.protectedAliases.join(', ') || 'none'}
      </p>
      <TagEditor
        tags={m.tags}
        what={`model ${m.name}`}
        canSet={can('setRegisteredModelTag')}
        canDelete={can('deleteRegisteredModelTag')}
        set={(key, value) => gql(SET_MODEL_TAG, { modelName: name, key, value })}
        remove={(key) => gql(DELETE_MODEL_TAG, { modelName: name, key })}
        testid="model-tags"
      />
      <div className="aliases" data-testid="alias-badges">
        {[...aliases].sort().map(([a, v]) => (
          <AliasBadge key={a} alias={a} version={v} protectedAlias={protectedSet.has(a)} />
        ))}
        {aliases.size === 0 && <span className="muted">no aliases</span>}
        {can('setRegisteredModelAlias') && <MoveAlias model={m} />}
      </div>
      <div className="grid">
        <div>
          <Versions name={name} aliasesByVersion={byVersion} reloadKey={live.key} />
          <Requests name={name} reloadKey={live.key} />
        </div>
        <div>
          <h2>
            Alias timeline <LiveBadge mode={aliasLive} />
          </h2>
          <label className="small">
            alias{' '}
            <select value={alias ?? ''} onChange={(e) => setAlias(e.target.value || null)}>
              {[...new Set([...aliases.keys(), ...(alias ? [alias] : [])])].sort().map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          {alias && can('rollback') && earlier.length > 0 && (
            <Rollback name={name} alias={alias} current={current} earlier={earlier} />
          )}
          <ErrorBox error={historyError} />
          <ol className="timeline" data-testid="alias-timeline">
            {[...moves].reverse().map((mv) => (
              <li key={mv.sequence} data-sequence={mv.sequence}>
                <span className="when">{fmtTime(mv.at)}</span> <b>{mv.actor}</b>{' '}
                {mv.version == null ? (
                  <>deleted (was v{mv.previousVersion})</>
                ) : (
                  <>
                    {mv.previousVersion == null ? 'set to' : `v${mv.previousVersion} →`}{' '}
                    <b className="to">v{mv.version}</b>
                  </>
                )}
                {mv.type === 'ROLLBACK' && <span className="badge rollback">rollback</span>}
                {mv.reason && <span className="muted"> — {mv.reason}</span>}
              </li>
            ))}
            {alias && moves.length === 0 && <li className="muted">no moves</li>}
          </ol>
          {historyMore && (
            <button type="button" onClick={() => void loadHistory(historyCursor, false)}>
              load newer moves
            </button>
          )}
          {alias && <AliasAtPicker name={name} alias={alias} />}
          <p className="small">
            <LiveBadge mode={live.mode} /> versions, stages, tags and requests update as they change
          </p>
        </div>
      </div>
    </section>
  );
}

function Versions({
  name,
  aliasesByVersion,
  reloadKey,
}: {
  name: string;
  aliasesByVersion: Map<number, string[]>;
  reloadKey: number;
}) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const { data, error, loading } = useAsync(
    () =>
      gql<{
        registeredModel: {
          versions: {
            totalCount: number;
            edges: { node: Version }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } | null;
      }>(VERSIONS, {
        name,
        first: VERSION_PAGE,
        after,
      }),
    [name, after],
    reloadKey,
  );
  const page = data?.registeredModel?.versions;
  return (
    <>
      <h2>Versions {page && <span className="muted">({page.totalCount})</span>}</h2>
      <ErrorBox error={error} />
      {page && (
        <table className="versions" data-testid="versions">
          <caption className="sr-only">Versions of {name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">semver</th>
              <th scope="col">stage</th>
              <th scope="col">metrics</th>
              <th scope="col">tags</th>
              <th scope="col">aliases</th>
              <th scope="col">created</th>
              <th scope="col">lineage</th>
            </tr>
          </thead>
          <tbody>
            {page.edges.map(({ node: v }) => (
              <tr key={v.id} data-version={v.version}>
                <td>
                  <a href={href.version(name, v.version)}>v{v.version}</a>
                </td>
                <td>{v.semver}</td>
                <td>
                  <StageBadge stage={v.stage} />
                </td>
                <td className="small">
                  {v.metrics.map((x) => (
                    <div key={`${x.key}/${x.segment ?? ''}`}>
                      {x.key}
                      {x.segment ? `[${x.segment}]` : ''} = {fmtNum(x.value)}
                    </div>
                  ))}
                </td>
                <td className="small">
                  <TagList tags={v.tags} />
                </td>
                <td>
                  {(aliasesByVersion.get(v.version) ?? []).sort().map((a) => (
                    <AliasBadge key={a} alias={a} />
                  ))}
                </td>
                <td className="small">
                  {fmtTime(v.createdAt)}
                  <div className="muted">{v.createdBy}</div>
                </td>
                <td>
                  <a href={href.lineage(v.id)} aria-label={`lineage of v${v.version}`}>
                    lineage
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <Pager
          canBack={cursors.length > 1}
          canForward={page.pageInfo.hasNextPage}
          busy={loading}
          onBack={() => setCursors((c) => c.slice(0, -1))}
          onForward={() => setCursors((c) => [...c, page.pageInfo.endCursor])}
        />
      )}
    </>
  );
}

/** Moves an unprotected alias; protected ones move only through a promotion request (the version page). */
function MoveAlias({ model }: { model: Model }) {
  const [alias, setAlias] = useState('');
  const [version, setVersion] = useState('');
  const current = model.aliases.find((a) => a.alias === alias.trim())?.version.version ?? null;
  const isProtected = model.protectedAliases.includes(alias.trim());
  return (
    <Action
      label="Move an alias"
      title={`Move an alias of ${model.name}`}
      confirm="Move the alias"
      onOpen={() => {
        setAlias('');
        setVersion(String(model.latestVersion?.version ?? ''));
      }}
      run={() => gql(SET_ALIAS, { modelName: model.name, alias: alias.trim(), version: Number(version) })}
      testid="move-alias"
    >
      <p>
        {alias.trim() ? (
          <>
            Alias <b>@{alias.trim()}</b>{' '}
            {current !== null ? <>moves from v{current} to</> : <>is created, pointing to</>} <b>v{version || '?'}</b>.
            Clients resolving models:/{model.name}@{alias.trim()} and deployments following it get the new version at
            once.
          </>
        ) : (
          <>Creates or moves an alias of {model.name}.</>
        )}
      </p>
      {isProtected && (
        <p className="warn small">
          @{alias.trim()} is protected on this model: the server will refuse a direct move. Request a promotion from the
          version&apos;s page instead.
        </p>
      )}
      <Field
        label="Alias"
        hint={`Protected aliases (${model.protectedAliases.join(', ') || 'none'}) move only through a promotion request.`}
      >
        {(id) => (
          <>
            <input
              id={id}
              list={`${id}-list`}
              value={alias}
              onChange={(e) => setAlias(e.target.value)}
              autoComplete="off"
            />
            <datalist id={`${id}-list`}>
              {model.aliases
                .filter((a) => !model.protectedAliases.includes(a.alias))
                .map((a) => (
                  <option key={a.alias} value={a.alias} />
                ))}
            </datalist>
          </>
        )}
      </Field>
      <Field label="Version">
        {(id) => <input id={id} type="number" min={1} value={version} onChange={(e) => setVersion(e.target.value)} />}
      </Field>
    </Action>
  );
}

/** Returns an alias to a version it pointed to before (REVIEWER), with a reason; recorded as a ROLLBACK. */
function Rollback({
  name,
  alias,
  current,
  earlier,
}: {
  name: string;
  alias: string;
  current: number | null;
  earlier: number[];
}) {
  const [version, setVersion] = useState(String(earlier[0]));
  const [reason, setReason] = useState('');
  return (
    <Action
      label={`Roll back @${alias}`}
      danger
      title={`Roll back @${alias} of ${name}`}
      confirm="Roll back"
      onOpen={() => {
        setVersion(String(earlier[0]));
        setReason('');
      }}
      run={() => gql(ROLLBACK, { modelName: name, alias, version: Number(version), reason })}
      testid="rollback"
    >
      <p>
        Alias <b>@{alias}</b> moves back {current !== null ? <>from v{current} </> : null}to <b>v{version}</b>, without
        a promotion request, protected or not. It is recorded as a ROLLBACK event with your reason; deployments
        following @{alias} switch at once.
      </p>
      <Field label="Back to version">
        {(id) => (
          <select id={id} value={version} onChange={(e) => setVersion(e.target.value)}>
            {earlier.map((v) => (
              <option key={v} value={v}>
                v{v}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Reason (required)">
        {(id) => <textarea id={id} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </Action>
  );
}

function AliasAtPicker({ name, alias }: { name: string; alias: string }) {
  const [at, setAt] = useState(() => new Date(Date.now() - 60_000).toISOString().slice(0, 19));
  const [result, setResult] = useState<{ version: number; semver: string; stage: string } | null | undefined>(
    undefined,
  );
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      className="alias-at"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const r = await gql<{ aliasAt: { version: number; semver: string; stage: string } | null }>(ALIAS_AT, {
            modelName: name,
            alias,
            at: new Date(`${at}Z`).toISOString(),
          });
          setResult(r.aliasAt);
          setError(null);
        } catch (err) {
          setError(err);
        }
      }}
    >
      <h3>
        What did <code>{alias}</code> point to at…
      </h3>
      <input
        type="datetime-local"
        step="1"
        value={at}
        onChange={(e) => setAt(e.target.value)}
        aria-label="instant (UTC)"
      />{' '}
      <span className="muted">UTC</span> <button type="submit">look up</button>
      <ErrorBox error={error} />
      {result !== undefined && (
        <p data-testid="alias-at-result">
          {result ? (
            <>
              v{result.version} ({result.semver}) <StageBadge stage={result.stage} />
            </>
          ) : (
            <span className="muted">nothing: the alias did not exist then</span>
          )}
        </p>
      )}
    </form>
  );
}

const REQUEST_PAGE = 20;

/**
 * The model's promotion requests: pending ones as cards (with the actions this principal may take), decided ones
 * listed, oldest first.
 */
function Requests({ name, reloadKey }: { name: string; reloadKey: number }) {
  const pending = useAsync(
    () =>
      gql<{ promotionRequests: { edges: { node: PromotionRequest }[]; pageInfo: { hasNextPage: boolean } } }>(
        REQUESTS,
        { filter: { modelName: name, status: 'PENDING' }, first: REQUEST_PAGE },
      ),
    [name],
    reloadKey,
  );
  const [after, setAfter] = useState<string | null>(null);
  const all = useAsync(
    () =>
      gql<{
        promotionRequests: {
          edges: { node: PromotionRequest }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(REQUESTS, {
        filter: { modelName: name },
        first: REQUEST_PAGE,
        after,
      }),
    [name, after],
    reloadKey,
  );
  const open = pending.data?.promotionRequests.edges.map((e) => e.node) ?? [];
  const decided = (all.data?.promotionRequests.edges.map((e) => e.node) ?? []).filter((r) => r.status !== 'PENDING');
  return (
    <section className="promotions" data-testid="promotion-requests" aria-labelledby="requests-title">
      <h2 id="requests-title">Promotion requests</h2>
      <ErrorBox error={pending.error ?? all.error} />
      {open.length === 0 && !pending.loading && <p className="muted small">No pending requests.</p>}
      {open.map((r) => (
        <PromotionCard key={r.id} r={r} />
      ))}
      {decided.length > 0 && (
        <>
          <h3>Decided</h3>
          <ul className="requests small">
            {decided.map((r) => (
              <li key={r.id} data-request={r.id}>
                <span className={`badge status status-${r.status.toLowerCase()}`}>{r.status}</span> v{r.version} →{' '}
                {r.target.stage ? <StageBadge stage={r.target.stage} /> : <AliasBadge alias={r.target.alias!} />}{' '}
                <span className="muted">
                  by {r.requestedBy}, {fmtTime(r.requestedAt)}
                  {r.decidedBy && (
                    <>
                      {' '}
                      · {r.status.toLowerCase()} by {r.decidedBy}
                    </>
                  )}
                </span>{' '}
                <a href={href.request(r.id)}>details</a>
              </li>
            ))}
          </ul>
        </>
      )}
      {all.data?.promotionRequests.pageInfo.hasNextPage && (
        <button type="button" onClick={() => setAfter(all.data!.promotionRequests.pageInfo.endCursor)}>
          newer requests →
        </button>
      )}
    </section>
  );
}

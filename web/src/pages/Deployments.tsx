import { useState } from 'react';
import { fmtTime, gql } from '../api';
import { href, useTitle } from '../router';
import { ErrorBox, Pager, useAsync } from '../ui';

const DEPLOYMENTS = `query Deployments($at: DateTime, $first: Int, $after: String) {
  deployments(at: $at, first: $first, after: $after) {
    totalCount
    edges { cursor node {
      name environment endpoint recordedAt requireAttestation
      serving { modelName weight followsAlias modelVersion { version stage model { name } } }
      providerModels { provider name providerVersion weight }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const HISTORY = `query DeploymentHistory($name: String!) {
  deploymentHistory(name: $name) { sequence at actor type alias deployment { serving { modelName modelVersion { version } followsAlias weight } } }
}`;
const PAGE = 20;

interface Deployment {
  name: string;
  environment: string;
  endpoint: string | null;
  recordedAt: string;
  requireAttestation: boolean;
  serving: {
    modelName: string;
    weight: number;
    followsAlias: string | null;
    modelVersion: { version: number; stage: string; model: { name: string } } | null;
  }[];
  providerModels: { provider: string; name: string; providerVersion: string; weight: number }[];
}

/** "2025-01-02T03:04:05" (datetime-local, read as UTC) ↔ ISO. */
const toLocalInput = (iso: string) => iso.slice(0, 19);

/** What runs where, at any instant (deployments + deploymentAt from the event log); the instant is in the URL. */
export function Deployments({ at }: { at: string | null }) {
  useTitle('Deployments');
  const [draft, setDraft] = useState(() => toLocalInput(at ?? new Date().toISOString()));
  const [cursors, setCursors] = useState<string[]>([]);
  const q = useAsync(
    () =>
      gql<{
        deployments: {
          totalCount: number;
          edges: { node: Deployment }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(DEPLOYMENTS, { at, first: PAGE, after: cursors.at(-1) ?? null }),
    [at, cursors.join(',')],
  );
  const page = q.data?.deployments;
  return (
    <section aria-labelledby="deployments-title">
      <h1 id="deployments-title">Deployments</h1>
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          location.hash = href.deployments(new Date(`${draft}Z`).toISOString());
        }}
      >
        <label>
          what ran at{' '}
          <input
            type="datetime-local"
            step="1"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            aria-label="instant (UTC)"
          />{' '}
          <span className="muted">UTC</span>
        </label>
        <button type="submit">show</button>
        <button
          type="button"
          onClick={() => {
            setCursors([]);
            setDraft(toLocalInput(new Date().toISOString()));
            location.hash = href.deployments(null);
          }}
        >
          now
        </button>
      </form>
      <p className="muted small">{at ? <>As they were at {fmtTime(at)}, from the event log.</> : 'As they are now.'}</p>
      <ErrorBox error={q.error} />
      {page && page.edges.length === 0 && <p>No deployment existed then.</p>}
      {page && page.edges.length > 0 && (
        <table data-testid="deployments">
          <caption className="sr-only">Deployments and what they served</caption>
          <thead>
            <tr>
              <th scope="col">deployment</th>
              <th scope="col">environment</th>
              <th scope="col">serves</th>
              <th scope="col">recorded</th>
            </tr>
          </thead>
          <tbody>
            {page.edges.map(({ node: d }) => (
              <DeploymentRow key={d.name} d={d} />
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <Pager
          canBack={cursors.length > 0}
          canForward={page.pageInfo.hasNextPage}
          busy={q.loading}
          label={`${page.totalCount} deployment${page.totalCount === 1 ? '' : 's'}`}
          onBack={() => setCursors((c) => c.slice(0, -1))}
          onForward={() => setCursors((c) => [...c, page.pageInfo.endCursor!])}
        />
      )}
    </section>
  );
}

function DeploymentRow({ d }: { d: Deployment }) {
  const [open, setOpen] = useState(false);
  const h = useAsync(
    () =>
      open
        ? gql<{
            deploymentHistory: {
              sequence: string;
              at: string;
              actor: string;
              type: string;
              alias: string | null;
              deployment: {
                serving: {
                  modelName: string;
                  modelVersion: { version: number } | null;
                  followsAlias: string | null;
                  weight: number;
                }[];
              };
            }[];
          }>(HISTORY, { name: d.name })
        : Promise.resolve(null),
    [d.name, open],
  );
  return (
    <>
      <tr data-deployment={d.name}>
        <td>
          <b>{d.name}</b>
          {d.endpoint && <div className="muted small">{d.endpoint}</div>}
          <button type="button" className="link" aria-expanded={open} onClick={() => setOpen((x) => !x)}>
            {open ? 'hide history' : 'history'}
          </button>
        </td>
        <td>{d.environment}</td>
        <td className="small">
          {d.serving.map((s, i) => (
            <div key={i}>
              {s.modelVersion ? (
                <a href={href.version(s.modelVersion.model.name, s.modelVersion.version)}>
                  {s.modelVersion.model.name} v{s.modelVersion.version}
                </a>
              ) : (
                <>{s.modelName} (deleted)</>
              )}
              {s.followsAlias && <span className="muted"> following @{s.followsAlias}</span>}
              {s.weight !== 1 && <span className="muted"> · {Math.round(s.weight * 100)}%</span>}
            </div>
          ))}
          {d.providerModels.map((p, i) => (
            <div key={`p${i}`}>
              {p.provider}/{p.name}@{p.providerVersion}
            </div>
          ))}
        </td>
        <td className="small">{fmtTime(d.recordedAt)}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={4}>
            <ErrorBox error={h.error} />
            <ol className="timeline small">
              {(h.data?.deploymentHistory ?? []).map((c) => (
                <li key={c.sequence}>
                  <span className="when">{fmtTime(c.at)}</span>{' '}
                  {c.type === 'DEPLOYMENT_RECORDED' ? 'recorded' : `@${c.alias} moved (${c.type.toLowerCase()})`} by{' '}
                  {c.actor}:{' '}
                  {c.deployment.serving.map((s) => `${s.modelName} v${s.modelVersion?.version ?? '?'}`).join(', ')}
                </li>
              ))}
            </ol>
          </td>
        </tr>
      )}
    </>
  );
}

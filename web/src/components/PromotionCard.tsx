import { useState } from 'react';
import { fmtNum, fmtTime, gql } from '../api';
import { href } from '../router';
import { Action, AliasBadge, Field, StageBadge } from '../ui';

/** What a promotion card shows, in one request per page of requests (the loaders batch the rest). */
export const REQUEST_FIELDS = `id versionId modelName version status rule requestedBy requestedAt expiresAt decidedAt decidedBy reason owners
  target { stage alias }
  evidence { kind passed uri summary }
  approvals { approver role asOwner at comment }
  viewerCan { approve approveRefusal approvalCarriesOut reject rejectRefusal }
  modelVersion { id version semver stage checksum metrics { key value segment } }
  currentTarget { id version semver stage metrics { key value segment } }
  gate { stage refusal checks { check passed detail } }`;

interface Metric {
  key: string;
  value: number;
  segment: string | null;
}
export interface PromotionRequest {
  id: string;
  versionId: string | null;
  modelName: string;
  version: number;
  status: string;
  rule: 'ONE_REVIEWER' | 'TWO_PERSON';
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  reason: string | null;
  owners: string[];
  target: { stage: string | null; alias: string | null };
  evidence: { kind: string; passed: boolean; uri: string | null; summary: string | null }[];
  approvals: { approver: string; role: string; asOwner: boolean; at: string; comment: string | null }[];
  viewerCan: {
    approve: boolean;
    approveRefusal: string | null;
    approvalCarriesOut: boolean;
    reject: boolean;
    rejectRefusal: string | null;
  };
  modelVersion: {
    id: string;
    version: number;
    semver: string;
    stage: string;
    checksum: string | null;
    metrics: Metric[];
  } | null;
  currentTarget: { id: string; version: number; semver: string; stage: string; metrics: Metric[] } | null;
  gate: { stage: string; refusal: string | null; checks: { check: string; passed: boolean; detail: string }[] } | null;
}

const APPROVE = `mutation Approve($id: ID!, $comment: String) { approvePromotion(id: $id, comment: $comment) { id status } }`;
const REJECT = `mutation Reject($id: ID!, $reason: String!) { rejectPromotion(id: $id, reason: $reason) { id status } }`;

const RULE_TEXT = { ONE_REVIEWER: 'one reviewer', TWO_PERSON: 'two-person (an owner and a reviewer)' } as const;

export const targetText = (r: Pick<PromotionRequest, 'target'>) =>
  r.target.stage ? `stage ${r.target.stage}` : `alias @${r.target.alias}`;

/** What carrying the request out does, in words. */
export function outcome(r: PromotionRequest): string {
  const name = `${r.modelName} v${r.version}`;
  const moves = r.target.alias
    ? `alias @${r.target.alias} of ${r.modelName} moves ${r.currentTarget ? `from v${r.currentTarget.version} ` : ''}to v${r.version}`
    : `${name} moves from ${r.modelVersion?.stage ?? 'its stage'} to ${r.target.stage}`;
  return r.rule === 'TWO_PERSON'
    ? `${moves}, and Pedigree signs the promotion (an attestation signed by Pedigree and by every approver)`
    : moves;
}

/** "3 min ago" for a past instant. */
export function ago(iso: string): string {
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** The candidate's metrics beside those of the version its target points to now. */
export function MetricDiff({ candidate, current }: { candidate: Metric[]; current: Metric[] | null }) {
  const key = (m: Metric) => `${m.key}${m.segment ? ` [${m.segment}]` : ''}`;
  const now = new Map((current ?? []).map((m) => [key(m), m.value]));
  const rows = [...new Set([...candidate.map(key), ...now.keys()])].sort();
  const mine = new Map(candidate.map((m) => [key(m), m.value]));
  if (rows.length === 0) return <p className="muted small">No metrics recorded.</p>;
  return (
    <table className="diff small" data-testid="metric-diff">
      <caption className="sr-only">Metrics of the candidate against the version its target points to now</caption>
      <thead>
        <tr>
          <th scope="col">metric</th>
          <th scope="col">candidate</th>
          <th scope="col">now</th>
          <th scope="col">Δ</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((k) => {
          const a = mine.get(k);
          const b = now.get(k);
          const d = a !== undefined && b !== undefined ? a - b : null;
          return (
            <tr key={k} data-metric={k}>
              <th scope="row">{k}</th>
              <td>{a !== undefined ? fmtNum(a) : '—'}</td>
              <td>{b !== undefined ? fmtNum(b) : '—'}</td>
              <td className={d === null || d === 0 ? '' : d > 0 ? 'up' : 'down'}>
                {d === null ? '—' : `${d > 0 ? '+' : ''}${fmtNum(d)}`}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * One promotion request: target and rule, evidence, the metric diff against
 * what the target points to now, the gate its approval will meet, the
 * approvals so far, and approve / reject when the server says this principal
 * may (viewerCan), each behind a confirmation that says what will happen.
 */
export function PromotionCard({ r, headingLevel = 3 }: { r: PromotionRequest; headingLevel?: 2 | 3 }) {
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const H = `h${headingLevel}` as 'h3';
  const pending = r.status === 'PENDING';
  return (
    <article className="promotion" data-request={r.id} data-testid="promotion-card" aria-labelledby={`req-${r.id}`}>
      <H id={`req-${r.id}`}>
        <a href={href.version(r.modelName, r.version)}>
          {r.modelName} v{r.version}
        </a>{' '}
        →{' '}
        {r.target.stage ? <StageBadge stage={r.target.stage} /> : <AliasBadge alias={r.target.alias!} protectedAlias />}{' '}
        <span className={`badge status status-${r.status.toLowerCase()}`}>{r.status}</span>
      </H>
      <p className="muted small">
        {RULE_TEXT[r.rule]} · requested by <b>{r.requestedBy}</b> {ago(r.requestedAt)} ({fmtTime(r.requestedAt)})
        {pending && <> · expires {fmtTime(r.expiresAt)}</>}
        {r.owners.length > 0 && <> · owners: {r.owners.join(', ')}</>} · <a href={href.request(r.id)}>details</a>
      </p>
      {r.evidence.length > 0 && (
        <>
          <h4>Evidence</h4>
          <ul className="evidence small">
            {r.evidence.map((e, i) => (
              <li key={i}>
                <b>{e.kind}</b> {e.passed ? '✓' : '✗'} {e.summary}{' '}
                {e.uri && /^https?:/i.test(e.uri) ? (
                  <a href={e.uri} rel="noopener noreferrer" target="_blank">
                    {e.uri}
                  </a>
                ) : (
                  e.uri
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {r.modelVersion && (
        <>
          <h4>
            Metrics: v{r.version} against{' '}
            {r.currentTarget ? (
              <>
                v{r.currentTarget.version}, what {r.target.alias ? `@${r.target.alias}` : r.target.stage} points to now
              </>
            ) : (
              <>nothing ({r.target.alias ? `@${r.target.alias}` : r.target.stage} is empty now)</>
            )}
          </h4>
          <MetricDiff candidate={r.modelVersion.metrics} current={r.currentTarget?.metrics ?? null} />
        </>
      )}
      {r.gate && (
        <>
          <h4>Gate checks → {r.gate.stage}</h4>
          <ul className="checks small" data-testid="gate-checks">
            {r.gate.checks.map((c) => (
              <li key={c.check} data-check={c.check} data-passed={c.passed}>
                <span aria-hidden="true">{c.passed ? '✓' : '✗'}</span>{' '}
                <span className="sr-only">{c.passed ? 'met:' : 'not met:'}</span> {c.detail}
              </li>
            ))}
          </ul>
          {pending &&
            (r.gate.refusal ? (
              <p className="warn small" data-testid="gate-refusal">
                The gate would refuse now: {r.gate.refusal}
              </p>
            ) : (
              <p className="ok small">The gate passes now.</p>
            ))}
        </>
      )}
      {r.target.alias && pending && (
        <p className="muted small">Moving a protected alias has no lifecycle gate: the approvals are the check.</p>
      )}
      {r.approvals.length > 0 && (
        <ul className="approvals small">
          {r.approvals.map((a) => (
            <li key={`${a.approver}/${a.at}`} data-approver={a.approver}>
              ✓ approved by <b>{a.approver}</b>{' '}
              <span className="muted">
                ({a.role.toLowerCase()}
                {a.asOwner ? ', owner' : ''}) {fmtTime(a.at)}
              </span>
              {a.comment && <> — {a.comment}</>}
            </li>
          ))}
        </ul>
      )}
      {r.decidedAt && (
        <p className="muted small">
          {r.status.toLowerCase()} by {r.decidedBy} at {fmtTime(r.decidedAt)}
          {r.reason ? ` — ${r.reason}` : ''}
        </p>
      )}
      {pending && (r.viewerCan.approve || r.viewerCan.reject) && (
        <div className="actions">
          {r.viewerCan.approve && (
            <Action
              label="Approve"
              title={`Approve ${r.modelName} v${r.version} → ${targetText(r)}`}
              confirm={r.viewerCan.approvalCarriesOut ? 'Approve and carry out' : 'Approve'}
              onOpen={() => setComment('')}
              run={() => gql(APPROVE, { id: r.id, comment: comment.trim() || null })}
              testid="approve"
            >
              <p>
                {r.viewerCan.approvalCarriesOut ? (
                  <>
                    Your approval satisfies the {RULE_TEXT[r.rule]} rule and carries the promotion out now:{' '}
                    <b>{outcome(r)}</b>. The registry&apos;s gates run first; if one fails, nothing changes.
                  </>
                ) : (
                  <>
                    Your approval is recorded; the request stays pending until the {RULE_TEXT[r.rule]} rule is met.
                    Then: {outcome(r)}.
                  </>
                )}
              </p>
              <Field label="Comment (optional)">
                {(id) => <textarea id={id} rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />}
              </Field>
            </Action>
          )}
          {r.viewerCan.reject && (
            <Action
              label="Reject"
              danger
              title={`Reject ${r.modelName} v${r.version} → ${targetText(r)}`}
              confirm="Reject"
              onOpen={() => setReason('')}
              run={() => gql(REJECT, { id: r.id, reason })}
              testid="reject"
            >
              <p>The request is closed as REJECTED with your reason; nothing moves. A new request can be made later.</p>
              <Field label="Reason (required)">
                {(id) => <textarea id={id} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
              </Field>
            </Action>
          )}
        </div>
      )}
    </article>
  );
}

import { useState } from 'react';
import { fmtNum, fmtTime, gql } from '../api';
import { AttestationView } from '../components/Attestation';
import { ModelCardView } from '../components/ModelCard';
import { PromotionCard, REQUEST_FIELDS, type PromotionRequest } from '../components/PromotionCard';
import { TagEditor } from '../components/TagEditor';
import { href, useTitle } from '../router';
import { useSession } from '../session';
import { Action, AliasBadge, ErrorBox, Field, LiveBadge, StageBadge, useAsync } from '../ui';
import { useModelLive } from './ModelPage';

const VERSION = `query Version($name: String!, $version: Int!) {
  registeredModel(name: $name) { name owners protectedAliases aliases { alias version { version } } }
  modelVersion(modelName: $name, version: $version) {
    id version semver stage source checksum createdAt createdBy description everProduction fingerprint
    metrics { key value segment } tags { key value } aliases
  }
}`;
const REQUESTS = `query VersionRequests($filter: PromotionRequestFilter, $first: Int) {
  promotionRequests(filter: $filter, first: $first) { edges { node { ${REQUEST_FIELDS} } } }
}`;
const TRANSITION = `mutation Transition($ref: ModelVersionRefInput!, $stage: Stage!, $comment: String) {
  transitionModelVersionStage(ref: $ref, stage: $stage, comment: $comment) { stage }
}`;
const EVIDENCE = `mutation Evidence($ref: ModelVersionRefInput!, $evidence: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $evidence) { kind } }`;
const REQUEST = `mutation Request($ref: ModelVersionRefInput!, $target: PromotionTargetInput!, $evidence: [EvidenceInput!]) {
  requestPromotion(ref: $ref, target: $target, evidence: $evidence) { id status rule }
}`;
const SET_ALIAS = `mutation SetAlias($modelName: String!, $alias: String!, $version: Int!) { setRegisteredModelAlias(modelName: $modelName, alias: $alias, version: $version) { sequence } }`;
const SET_TAG = `mutation SetTag($ref: ModelVersionRefInput!, $key: String!, $value: String!) { setModelVersionTag(ref: $ref, key: $key, value: $value) { version } }`;
const DELETE_TAG = `mutation DeleteTag($ref: ModelVersionRefInput!, $key: String!) { deleteModelVersionTag(ref: $ref, key: $key) { version } }`;
const ATTESTATION = `query Attestation($ref: ModelVersionRefInput!) { attestation(ref: $ref) { envelope } }`;

/**
 * The model's pending requests read for one version's page: a request costs
 * about 1,700 in the server's cost analysis (its metrics, evidence, approvals
 * and gate at their caps), so 20 stay well within the default limit of 50,000.
 */
const PENDING_PAGE = 20;

/** Gate evidence kinds (the EvidenceKind enum). */
const EVIDENCE_KINDS = ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF'] as const;

interface VersionData {
  registeredModel: {
    name: string;
    owners: string[];
    protectedAliases: string[];
    aliases: { alias: string; version: { version: number } }[];
  } | null;
  modelVersion: {
    id: string;
    version: number;
    semver: string;
    stage: string;
    source: string;
    checksum: string | null;
    createdAt: string;
    createdBy: string;
    description: string | null;
    everProduction: boolean;
    fingerprint: string | null;
    metrics: { key: string; value: number; segment: string | null }[];
    tags: { key: string; value: string }[];
    aliases: string[];
  } | null;
}

/**
 * One version: what it is, what may be done with it by this principal
 * (only the actions its role may call are shown; the server decides each),
 * its pending requests, model card and signed attestation.
 */
export function VersionPage({ name, version }: { name: string; version: number }) {
  useTitle(`${name} v${version}`, 'Models');
  const live = useModelLive(name);
  const q = useAsync(() => gql<VersionData>(VERSION, { name, version }), [name, version], live.key);
  const requests = useAsync(
    () =>
      gql<{ promotionRequests: { edges: { node: PromotionRequest }[] } }>(REQUESTS, {
        filter: { modelName: name, status: 'PENDING' },
        first: PENDING_PAGE,
      }),
    [name],
    live.key,
  );
  const { can, viewer } = useSession();
  const v = q.data?.modelVersion;
  const m = q.data?.registeredModel;
  if (q.error && !v) return <ErrorBox error={q.error} />;
  if (!q.data) return <p className="muted">loading…</p>;
  if (!v || !m) return <ErrorBox error={new Error(`No version ${version} of “${name}”.`)} />;
  const ref = { modelName: name, version };
  const mine = (requests.data?.promotionRequests.edges.map((e) => e.node) ?? []).filter((r) => r.version === version);
  const actions = [
    v.stage === 'DEVELOPMENT' && can('transitionModelVersionStage') && (
      <ToStaging key="staging" name={name} version={version} />
    ),
    can('addModelVersionEvidence') && <RecordEvidence key="evidence" name={name} version={version} />,
    can('requestPromotion') && (
      <RequestPromotion
        key="request"
        name={name}
        version={version}
        stage={v.stage}
        protectedAliases={m.protectedAliases}
      />
    ),
    can('setRegisteredModelAlias') && (
      <SetAlias key="alias" name={name} version={version} aliases={m.aliases} protectedAliases={m.protectedAliases} />
    ),
  ].filter(Boolean);
  return (
    <section aria-labelledby="version-title">
      <p>
        <a href={href.model(name)}>← {name}</a>
      </p>
      <h1 id="version-title">
        {name} v{v.version} <span className="muted">{v.semver}</span> <StageBadge stage={v.stage} />{' '}
        {v.aliases.sort().map((a) => (
          <AliasBadge key={a} alias={a} protectedAlias={m.protectedAliases.includes(a)} />
        ))}
      </h1>
      {v.description && <p>{v.description}</p>}
      <dl className="facts small">
        <dt>source</dt>
        <dd>
          <code>{v.source}</code>
        </dd>
        <dt>checksum</dt>
        <dd>
          <code>{v.checksum ?? 'none (unverified)'}</code>
        </dd>
        <dt>registered</dt>
        <dd>
          {fmtTime(v.createdAt)} by {v.createdBy}
        </dd>
        <dt>metrics</dt>
        <dd>
          {v.metrics.length
            ? v.metrics.map((x) => `${x.key}${x.segment ? `[${x.segment}]` : ''} = ${fmtNum(x.value)}`).join(' · ')
            : 'none'}
        </dd>
      </dl>
      <TagEditor
        tags={v.tags}
        what={`${name} v${version}`}
        canSet={can('setModelVersionTag')}
        canDelete={can('deleteModelVersionTag')}
        set={(key, value) => gql(SET_TAG, { ref, key, value })}
        remove={(key) => gql(DELETE_TAG, { ref, key })}
        testid="version-tags"
      />
      <p className="small">
        <a href={href.lineage(v.id)}>lineage</a> · <LiveBadge mode={live.mode} />
      </p>
      <section aria-labelledby="actions-title" data-testid="version-actions">
        <h2 id="actions-title">Actions</h2>
        {actions.length ? (
          <div className="actions">{actions}</div>
        ) : (
          <p className="muted small">
            {viewer
              ? `Your role (${viewer.role}) has no actions on a version.`
              : 'Paste a token to act on this version.'}
          </p>
        )}
      </section>
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Pending promotion requests</h2>
        <ErrorBox error={requests.error} />
        {mine.length === 0 && <p className="muted small">None for v{version}.</p>}
        {mine.map((r) => (
          <PromotionCard key={r.id} r={r} />
        ))}
      </section>
      <ModelCardView modelName={name} version={version} reloadKey={live.key} />
      <VersionAttestation name={name} version={version} checksum={v.checksum} />
    </section>
  );
}

function ToStaging({ name, version }: { name: string; version: number }) {
  const [comment, setComment] = useState('');
  return (
    <Action
      label="Move to STAGING"
      title={`Move ${name} v${version} to STAGING`}
      confirm="Move to STAGING"
      onOpen={() => setComment('')}
      run={() =>
        gql(TRANSITION, { ref: { modelName: name, version }, stage: 'STAGING', comment: comment.trim() || null })
      }
      testid="to-staging"
    >
      <p>
        v{version} moves from DEVELOPMENT to <b>STAGING</b>. The registry&apos;s STAGING gate checks it first (its
        checksum, and the model&apos;s metric thresholds or at least one metric); a refusal names what is missing and
        changes nothing.
      </p>
      <Field label="Comment (optional)">
        {(id) => <input id={id} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
    </Action>
  );
}

function RecordEvidence({ name, version }: { name: string; version: number }) {
  const [kind, setKind] = useState<string>(EVIDENCE_KINDS[0]);
  const [passed, setPassed] = useState(true);
  const [uri, setUri] = useState('');
  const [summary, setSummary] = useState('');
  return (
    <Action
      label="Record gate evidence"
      title={`Record gate evidence for ${name} v${version}`}
      confirm="Record the evidence"
      onOpen={() => {
        setKind(EVIDENCE_KINDS[0]);
        setPassed(true);
        setUri('');
        setSummary('');
      }}
      run={() =>
        gql(EVIDENCE, {
          ref: { modelName: name, version },
          evidence: { kind, passed, uri: uri.trim() || null, summary: summary.trim() || null },
        })
      }
      testid="record-evidence"
    >
      <p>
        Records <b>{kind}</b> evidence ({passed ? 'passed' : 'failed'}) on v{version}, in your name. The lifecycle gates
        read it: → CANARY needs passed HUMAN_REVIEW and FAIRNESS_CHECK, → PRODUCTION passed SLO_VALIDATION and SIGN_OFF.
      </p>
      <Field label="Kind">
        {(id) => (
          <select id={id} value={kind} onChange={(e) => setKind(e.target.value)}>
            {EVIDENCE_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        )}
      </Field>
      <label className="check">
        <input type="checkbox" checked={passed} onChange={(e) => setPassed(e.target.checked)} /> passed
      </label>
      <Field label="Link (optional)">
        {(id) => (
          <input id={id} type="url" placeholder="https://…" value={uri} onChange={(e) => setUri(e.target.value)} />
        )}
      </Field>
      <Field label="Summary (optional)">
        {(id) => <input id={id} value={summary} onChange={(e) => setSummary(e.target.value)} />}
      </Field>
    </Action>
  );
}

interface EvidenceLink {
  kind: string;
  uri: string;
  summary: string;
}

function RequestPromotion({
  name,
  version,
  stage,
  protectedAliases,
}: {
  name: string;
  version: number;
  stage: string;
  protectedAliases: string[];
}) {
  const next =
    stage === 'STAGING'
      ? 'stage:CANARY'
      : stage === 'CANARY'
        ? 'stage:PRODUCTION'
        : protectedAliases[0]
          ? `alias:${protectedAliases[0]}`
          : 'stage:CANARY';
  const [target, setTarget] = useState(next);
  const [links, setLinks] = useState<EvidenceLink[]>([]);
  const [kind, t] = target.split(':') as ['stage' | 'alias', string];
  const setLink = (i: number, patch: Partial<EvidenceLink>) =>
    setLinks((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <Action
      label="Request a promotion"
      title={`Request a promotion of ${name} v${version}`}
      confirm="Request the promotion"
      onOpen={() => {
        setTarget(next);
        setLinks([{ kind: 'HUMAN_REVIEW', uri: '', summary: '' }]);
      }}
      run={() =>
        gql(REQUEST, {
          ref: { modelName: name, version },
          target: kind === 'stage' ? { stage: t } : { alias: t },
          evidence: links
            .filter((l) => l.uri.trim() || l.summary.trim())
            .map((l) => ({ kind: l.kind, uri: l.uri.trim() || null, summary: l.summary.trim() || null })),
        })
      }
      testid="request-promotion"
    >
      <p>
        Opens a request to move v{version}{' '}
        {kind === 'stage' ? (
          <>
            to stage <b>{t}</b>
          </>
        ) : (
          <>
            behind the protected alias <b>@{t}</b>
          </>
        )}
        . Nothing moves until approvers the server&apos;s rule names have approved it (one reviewer for CANARY; an owner
        and a reviewer for PRODUCTION and protected aliases), and you cannot approve your own request. It expires if
        nobody decides.
      </p>
      <Field label="Target">
        {(id) => (
          <select id={id} value={target} onChange={(e) => setTarget(e.target.value)}>
            <optgroup label="stage">
              <option value="stage:CANARY">CANARY</option>
              <option value="stage:PRODUCTION">PRODUCTION</option>
            </optgroup>
            {protectedAliases.length > 0 && (
              <optgroup label="protected alias">
                {protectedAliases.map((a) => (
                  <option key={a} value={`alias:${a}`}>
                    @{a}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        )}
      </Field>
      <fieldset className="links">
        <legend>Evidence links</legend>
        {links.map((l, i) => (
          <div key={i} className="link-row">
            <Field label={`Kind ${i + 1}`}>
              {(id) => (
                <select id={id} value={l.kind} onChange={(e) => setLink(i, { kind: e.target.value })}>
                  {EVIDENCE_KINDS.map((k) => (
                    <option key={k}>{k}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={`Link ${i + 1}`}>
              {(id) => (
                <input
                  id={id}
                  type="url"
                  placeholder="https://…"
                  value={l.uri}
                  onChange={(e) => setLink(i, { uri: e.target.value })}
                />
              )}
            </Field>
            <Field label={`Summary ${i + 1}`}>
              {(id) => <input id={id} value={l.summary} onChange={(e) => setLink(i, { summary: e.target.value })} />}
            </Field>
          </div>
        ))}
        <button type="button" onClick={() => setLinks((ls) => [...ls, { kind: 'HUMAN_REVIEW', uri: '', summary: '' }])}>
          + another link
        </button>
      </fieldset>
    </Action>
  );
}

function SetAlias({
  name,
  version,
  aliases,
  protectedAliases,
}: {
  name: string;
  version: number;
  aliases: { alias: string; version: { version: number } }[];
  protectedAliases: string[];
}) {
  const [alias, setAlias] = useState('');
  const current = aliases.find((a) => a.alias === alias.trim())?.version.version ?? null;
  return (
    <Action
      label="Point an alias here"
      title={`Point an alias of ${name} at v${version}`}
      confirm="Move the alias"
      onOpen={() => setAlias('')}
      run={() => gql(SET_ALIAS, { modelName: name, alias: alias.trim(), version })}
      testid="set-alias"
    >
      <p>
        {alias.trim() ? (
          <>
            Alias <b>@{alias.trim()}</b>{' '}
            {current !== null ? <>moves from v{current} to</> : <>is created, pointing to</>} <b>v{version}</b>; clients
            and deployments following it get v{version} at once.
          </>
        ) : (
          <>Creates or moves an unprotected alias to v{version}.</>
        )}
      </p>
      {protectedAliases.includes(alias.trim()) && (
        <p className="warn small">
          @{alias.trim()} is protected: the server will refuse a direct move. Use “Request a promotion”.
        </p>
      )}
      <Field
        label="Alias"
        hint={`Protected (${protectedAliases.join(', ') || 'none'}): only through a promotion request.`}
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
              {aliases
                .filter((a) => !protectedAliases.includes(a.alias))
                .map((a) => (
                  <option key={a.alias} value={a.alias} />
                ))}
            </datalist>
          </>
        )}
      </Field>
    </Action>
  );
}

/** The version's signed provenance statement, made on request (signing costs a little), verified in this browser. */
function VersionAttestation({ name, version, checksum }: { name: string; version: number; checksum: string | null }) {
  const [shown, setShown] = useState(false);
  const att = useAsync(
    () =>
      shown
        ? gql<{ attestation: { envelope: string } }>(ATTESTATION, { ref: { modelName: name, version } })
        : Promise.resolve(null),
    [name, version, shown],
  );
  return (
    <section aria-labelledby="att-title">
      <h2 id="att-title">Attestation</h2>
      {!shown ? (
        <button type="button" onClick={() => setShown(true)} data-testid="show-attestation">
          Show the signed attestation
        </button>
      ) : (
        <>
          <ErrorBox error={att.error} />
          {att.data && (
            <AttestationView
              envelope={att.data.attestation.envelope}
              filename={`${name.replace(/[^A-Za-z0-9._-]+/g, '_')}-v${version}.dsse.json`}
              expectDigest={checksum}
            />
          )}
        </>
      )}
    </section>
  );
}

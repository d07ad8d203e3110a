import { contractOp } from './contract.js';
import { as, gql, gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from './graphql.js';

/**
 * The principals a governance test needs, one token each (made by the admin).
 * `requester` makes the fixtures' promotion requests; `contributor` is a
 * CONTRIBUTOR with no stake in the governed model (the attacker).
 */
export interface People {
  names: Record<Who, string>;
  tokens: Record<Who, string>;
}
export type Who = 'viewer' | 'requester' | 'contributor' | 'owner' | 'reviewer' | 'reviewer2' | 'admin';

const ROLES: Record<Who, string> = {
  viewer: 'VIEWER',
  requester: 'CONTRIBUTOR',
  contributor: 'CONTRIBUTOR',
  owner: 'CONTRIBUTOR',
  reviewer: 'REVIEWER',
  reviewer2: 'REVIEWER',
  admin: 'ADMIN',
};

export async function makePeople(url: string): Promise<People> {
  const names = {} as Record<Who, string>;
  const tokens = {} as Record<Who, string>;
  for (const who of Object.keys(ROLES) as Who[]) {
    names[who] = uniq(who);
    tokens[who] = (
      await gqlOk(url, contractOp('CreateApiToken'), { name: names[who], role: ROLES[who] })
    ).createApiToken.token;
  }
  return { names, tokens };
}

/** MLflow's REST API as its client speaks it, as one principal. */
export async function mlflow(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: Record<string, unknown>,
): Promise<{ status: number; json: any }> {
  const base = url.replace(/\/graphql$/, '');
  let target = `${base}/api/2.0/mlflow/${path}`;
  let payload: string | undefined;
  if (method === 'GET' && body)
    target += `?${new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]))}`;
  else if (body) payload = JSON.stringify(body);
  const res = await fetch(target, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    body: payload,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

const EVIDENCE =
  'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }';
const CARD =
  'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "Written for the test.") { revision } }';

/**
 * Carries one promotion request through: requested by the requester, approved by the owner (when two-person) and a
 * reviewer.
 */
export async function promote(
  url: string,
  p: People,
  ref: { modelName: string; version: number },
  target: { stage?: string; alias?: string },
): Promise<string> {
  const req = (
    await gqlOk(url, contractOp('RequestPromotion'), { ref, target, evidence: null }, as(p.tokens.requester))
  ).requestPromotion;
  const twoPerson = target.alias !== undefined || target.stage === 'PRODUCTION';
  if (twoPerson)
    await gqlOk(url, contractOp('ApprovePromotion'), { id: req.id, comment: 'owner ok' }, as(p.tokens.owner));
  const done = (
    await gqlOk(url, contractOp('ApprovePromotion'), { id: req.id, comment: 'reviewed' }, as(p.tokens.reviewer))
  ).approvePromotion;
  if (done.status !== 'APPROVED')
    throw new Error(`promotion ${JSON.stringify(target)} of ${ref.modelName}/${ref.version} ended ${done.status}`);
  return req.id;
}

/**
 * A version from DEVELOPMENT to PRODUCTION by the book: STAGING, evidence, a reviewed CANARY request, a two-person
 * PRODUCTION request.
 */
export async function toProduction(url: string, p: People, modelName: string, version: number): Promise<void> {
  const ref = { modelName, version };
  await gqlOk(url, contractOp('TransitionStage'), { ref, stage: 'STAGING' }, as(p.tokens.contributor));
  for (const kind of ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF'])
    await gqlOk(url, EVIDENCE, { ref, e: { kind, passed: true } });
  await promote(url, p, ref, { stage: 'CANARY' });
  await promote(url, p, ref, { stage: 'PRODUCTION' });
}

export interface GovernedModel {
  name: string;
  /** v1: PRODUCTION, behind the protected alias `champion`, served a logged prediction. */
  production: { version: number; id: string; source: string; checksum: string };
  /** v2: CANARY. */
  canary: { version: number; id: string };
  /** v3: DEVELOPMENT, with a pending request for the protected alias `production`. */
  pending: { version: number; id: string; requestId: string };
  /**
   * v4: registered through MLflow from its run's files in Pedigree's artifact store (`runs:/RUN/model`): sealed,
   * write-once.
   */
  stored: { version: number; runRoot: string; file: string };
  predictionId: string;
}

/**
 * A model in every governed state at once, owned by `p.names.owner`: a
 * version in PRODUCTION behind the protected alias `champion` that served a
 * logged prediction, one in CANARY, a pending two-person request, and one
 * registered from files in Pedigree's artifact store (sealed).
 */
export async function governedModel(url: string, p: People, name = uniq('governed')): Promise<GovernedModel> {
  await gqlOk(url, contractOp('CreateRegisteredModel'), { input: { name } }, as(TEST_ADMIN_TOKEN));
  await gqlOk(url, contractOp('SetModelOwners'), { modelName: name, owners: [p.names.owner] });
  for (const title of ['Intended use and users', 'Limitations and failure modes'])
    await gqlOk(url, CARD, { n: name, t: title });
  const versions = [];
  for (let i = 1; i <= 3; i++) {
    const source = `s3://governed/${name}/v${i}`;
    const v = (
      await gqlOk(
        url,
        contractOp('CreateModelVersion'),
        { input: { modelName: name, source, checksum: sha(String(i)), metrics: [{ key: 'auc', value: 0.9 }] } },
        as(p.tokens.contributor),
      )
    ).createModelVersion;
    versions.push({ ...v, source, checksum: sha(String(i)) });
  }
  await toProduction(url, p, name, 1);
  await promote(url, p, { modelName: name, version: 1 }, { alias: 'champion' });
  const v2 = { modelName: name, version: 2 };
  await gqlOk(url, contractOp('TransitionStage'), { ref: v2, stage: 'STAGING' }, as(p.tokens.contributor));
  for (const kind of ['HUMAN_REVIEW', 'FAIRNESS_CHECK'])
    await gqlOk(url, EVIDENCE, { ref: v2, e: { kind, passed: true } });
  await promote(url, p, v2, { stage: 'CANARY' });
  const pending = (
    await gqlOk(
      url,
      contractOp('RequestPromotion'),
      { ref: { modelName: name, version: 3 }, target: { alias: 'production' }, evidence: null },
      as(p.tokens.requester),
    )
  ).requestPromotion;
  // v4: a run's files in the artifact store, uploaded and registered by the requester through MLflow.
  const experiment = (
    await mlflow(url, p.tokens.requester, 'POST', 'experiments/create', { name: uniq('governed-exp') })
  ).json.experiment_id;
  const runId = (await mlflow(url, p.tokens.requester, 'POST', 'runs/create', { experiment_id: experiment })).json.run
    .info.run_id;
  const runRoot = `${experiment}/${runId}/artifacts`;
  const file = `${runRoot}/model/weights.bin`;
  const put = await fetch(`${url.replace(/\/graphql$/, '')}${ARTIFACTS}/${file}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${p.tokens.requester}` },
    body: 'governed weights',
  });
  if (put.status !== 200) throw new Error(`artifact upload: ${put.status} ${await put.text()}`);
  const v4 = await mlflow(url, p.tokens.requester, 'POST', 'model-versions/create', {
    name,
    source: `runs:/${runId}/model`,
    run_id: runId,
  });
  if (v4.status !== 200) throw new Error(`stored version: ${v4.status} ${JSON.stringify(v4.json)}`);
  const predictionId = uniq('pred');
  await gqlOk(
    url,
    contractOp('LogPredictions'),
    { input: { model: { modelName: name, alias: 'champion' }, predictions: [{ id: predictionId }] } },
    as(p.tokens.contributor),
  );
  return {
    name,
    production: { version: 1, id: versions[0]!.id, source: versions[0]!.source, checksum: versions[0]!.checksum },
    canary: { version: 2, id: versions[1]!.id },
    pending: { version: 3, id: versions[2]!.id, requestId: pending.id },
    stored: { version: 4, runRoot, file },
    predictionId,
  };
}

/** The artifact proxy, as MLflow's client reaches it. */
export const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

/** What governance protects on a governed model, read through the public API: must not change by a refused call. */
export async function governedState(url: string, m: GovernedModel): Promise<unknown> {
  const base = url.replace(/\/graphql$/, '');
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const served = await fetch(`${base}${ARTIFACTS}/${m.stored.file}`, { headers: admin });
  const listing = await fetch(`${base}${ARTIFACTS}?path=${encodeURIComponent(`${m.stored.runRoot}/model`)}`, {
    headers: admin,
  });
  const artefacts = { status: served.status, bytes: await served.text(), listing: await listing.json() };
  const r = await gql(
    url,
    `query($n: String!, $p: String!, $id: ID!) {
      registeredModel(name: $n) { name owners protectedAliases aliases { alias version { version } } versions(first: 100) { edges { node { version stage source checksum run { id } } } } }
      tracePrediction(id: $p) { modelVersion { version } }
      promotionRequest(id: $id) { status }
    }`,
    { n: m.name, p: m.predictionId, id: m.pending.requestId },
  );
  // The fixture's own versions (new ones are anyone's to add); stages outside
  // CANARY and PRODUCTION are not governed (DEVELOPMENT → STAGING is a contributor's to make).
  const model = r.data?.registeredModel;
  if (model) {
    model.versions.edges = model.versions.edges.filter((e: any) => e.node.version <= 4);
    for (const e of model.versions.edges)
      if (!['CANARY', 'PRODUCTION'].includes(e.node.stage)) e.node.stage = 'ungoverned';
  }
  return { ...r.data, artefacts };
}

import { contractOp } from './contract.js';
import { as, gqlOk, sha, uniq } from './graphql.js';
import { testDriver } from './neo4j.js';

// Builders for provenance tests over the public API only: models, versions
// (with run, base model, teachers, provider models), aliases and stages go
// through the registry's real mutations, exactly as clients send them.

export interface ModelVersionRef {
  modelName: string;
  version?: number;
  alias?: string;
}

export interface RegisteredVersion {
  id: string;
  version: number;
  fingerprint: string | null;
  run: { id: string } | null;
  baseModel: { model: { name: string }; version: number } | null;
  teachers: { model: { name: string }; version: number }[];
}

/** createModelVersion (the contract operation) with its provenance inputs; creates the model first when asked. */
export async function registerVersion(
  url: string,
  modelName: string,
  o: {
    createModel?: boolean;
    runId?: string;
    baseModel?: ModelVersionRef;
    teachers?: ModelVersionRef[];
    baseProviderModelId?: string;
    teacherProviderModelIds?: string[];
    metrics?: { key: string; value: number }[];
  } = {},
): Promise<RegisteredVersion> {
  const { createModel, ...input } = o;
  if (createModel) await gqlOk(url, contractOp('CreateRegisteredModel'), { input: { name: modelName } });
  const data = await gqlOk(url, contractOp('CreateModelVersion'), {
    input: { modelName, source: `s3://bucket/${modelName}/model.pkl`, checksum: sha('a'), ...input },
  });
  return data.createModelVersion;
}

/** Points an alias at a version (setRegisteredModelAlias, the contract operation). */
export async function setAlias(url: string, modelName: string, alias: string, version: number): Promise<void> {
  await gqlOk(url, contractOp('SetRegisteredModelAlias'), { modelName, alias, version });
}

/**
 * Walks a version through the gates to PRODUCTION the way a team would: the
 * evidence and card sections each gate asks for (give the version a metric
 * when registering it), then STAGING directly, and CANARY and PRODUCTION
 * through approved promotion requests (a reviewer, and an owner with a reviewer).
 */
export async function promoteToProduction(url: string, modelName: string, version: number): Promise<void> {
  const ref = { modelName, version };
  for (const kind of ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF']) {
    await gqlOk(
      url,
      'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
      {
        ref,
        e: { kind, passed: true, summary: `${kind} done` },
      },
    );
  }
  // → PRODUCTION also needs the model card's required human sections (operations).
  for (const title of ['Intended use and users', 'Limitations and failure modes']) {
    await gqlOk(
      url,
      'mutation($ref: ModelVersionRefInput!, $t: String!) { setModelCardSection(ref: $ref, title: $t, body: "Written for the fixture.") { revision } }',
      { ref, t: title },
    );
  }
  await gqlOk(url, contractOp('TransitionStage'), { ref, stage: 'STAGING' });
  const token = async (role: string) =>
    (await gqlOk(url, contractOp('CreateApiToken'), { name: uniq(role.toLowerCase()), role })).createApiToken;
  const owner = await token('CONTRIBUTOR');
  const reviewer = await token('REVIEWER');
  await gqlOk(url, contractOp('SetModelOwners'), { modelName, owners: [owner.principal.name] });
  for (const [stage, approvers] of [
    ['CANARY', [reviewer]],
    ['PRODUCTION', [owner, reviewer]],
  ] as const) {
    const request = (await gqlOk(url, contractOp('RequestPromotion'), { ref, target: { stage } })).requestPromotion;
    for (const a of approvers) await gqlOk(url, contractOp('ApprovePromotion'), { id: request.id }, as(a.token));
  }
}

/** How many nodes carry a label (read-only; for idempotency assertions). */
export async function countNodes(label: 'Prediction' | 'Event'): Promise<number> {
  const driver = testDriver();
  const session = driver.session();
  try {
    const r = await session.run(`MATCH (n:${label}) RETURN count(n) AS c`);
    return r.records[0]!.get('c').toNumber();
  } finally {
    await session.close();
    await driver.close();
  }
}

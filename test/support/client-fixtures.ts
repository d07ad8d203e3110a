import { testDriver } from './neo4j.js';
import { createHash } from 'node:crypto';
import { contractOp } from './contract.js';
import { bearer, gqlOk, TEST_ADMIN_TOKEN, uniq } from './graphql.js';

/** Fixtures for the client suites: artifacts in Pedigree's store and versions that point at them. */

export const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** PUTs bytes into the artifact store through the MLflow artifact proxy; returns the mlflow-artifacts: URI. */
export async function putArtifact(baseUrl: string, path: string, bytes: Buffer | string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/2.0/mlflow-artifacts/artifacts/${path}`, {
    method: 'PUT',
    headers: { authorization: bearer(TEST_ADMIN_TOKEN), 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (!res.ok) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
  return `mlflow-artifacts:/${path}`;
}

/** Registers a version of `modelName` (created when missing) with this source and checksum. */
export async function registerVersion(
  graphqlUrl: string,
  modelName: string,
  source: string,
  checksum: string,
): Promise<number> {
  await gqlOk(graphqlUrl, contractOp('CreateRegisteredModel'), { input: { name: modelName } }).catch(() => undefined);
  const d = await gqlOk(graphqlUrl, contractOp('CreateModelVersion'), { input: { modelName, source, checksum } });
  return d.createModelVersion.version as number;
}

/** Moves an alias; returns the event's sequence. */
export async function moveAlias(
  graphqlUrl: string,
  modelName: string,
  alias: string,
  version: number,
): Promise<string> {
  const d = await gqlOk(
    graphqlUrl,
    'mutation($m: String!, $a: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: $a, version: $v) { sequence } }',
    {
      m: modelName,
      a: alias,
      v: version,
    },
  );
  return d.setRegisteredModelAlias.sequence as string;
}

/** Every move of an alias as the server recorded it, oldest first: [sequence, previousVersion, version]. */
export async function aliasMoves(
  graphqlUrl: string,
  modelName: string,
  alias: string,
): Promise<[string, number | null, number | null][]> {
  const out: [string, number | null, number | null][] = [];
  let after: string | null = null;
  for (;;) {
    const d: any = await gqlOk(graphqlUrl, contractOp('AliasHistory'), { modelName, alias, first: 500, after });
    for (const e of d.aliasHistory.edges) out.push([e.node.sequence, e.node.previousVersion, e.node.version]);
    if (!d.aliasHistory.pageInfo.hasNextPage) return out;
    after = d.aliasHistory.pageInfo.endCursor;
  }
}

/** A model with `n` versions of small store artifacts (bytes "v1", "v2", …), all verifying. */
export async function modelWithVersions(baseUrl: string, n: number, prefix = 'client'): Promise<string> {
  const name = uniq(prefix);
  for (let i = 1; i <= n; i++) {
    const bytes = `weights of ${name} v${i}\n`;
    const source = await putArtifact(baseUrl, `clients/${name}/v${i}/model.bin`, bytes);
    await registerVersion(`${baseUrl}/graphql`, name, source, sha256(bytes));
  }
  return name;
}

/** How many predictions the server created for a model (PREDICTIONS_LOGGED events' `created`, summed). */
export async function predictionsCreated(graphqlUrl: string, modelName: string): Promise<number> {
  const d = await gqlOk(
    graphqlUrl,
    'query($m: String) { predictionVolume(modelName: $m, first: 500) { edges { node { count } } } }',
    { m: modelName },
  );
  return d.predictionVolume.edges.reduce((n: number, e: { node: { count: number } }) => n + e.node.count, 0);
}

/** Predictions the server created for a model, by version. */
export async function predictionsByVersion(graphqlUrl: string, modelName: string): Promise<Record<number, number>> {
  const d = await gqlOk(
    graphqlUrl,
    'query($m: String) { predictionVolume(modelName: $m, first: 500) { edges { node { version count } } } }',
    { m: modelName },
  );
  const out: Record<number, number> = {};
  for (const e of d.predictionVolume.edges as { node: { version: number; count: number } }[])
    out[e.node.version] = (out[e.node.version] ?? 0) + e.node.count;
  return out;
}

/**
 * Traces every id through GraphQL (tracePrediction, 15 per request, a few
 * requests at a time); returns the ids that did not trace to `modelName`, and
 * the versions they traced to.
 */
export async function untraceable(
  graphqlUrl: string,
  ids: string[],
  modelName: string,
): Promise<{ missing: string[]; versions: Map<number, number> }> {
  const missing: string[] = [];
  const versions = new Map<number, number>();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 15) chunks.push(ids.slice(i, i + 15));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const vars: Record<string, string> = {};
      const fields = chunk.map((id, j) => {
        vars[`i${j}`] = id;
        return `t${j}: tracePrediction(id: $i${j}) { prediction { id } modelVersion { version model { name } } }`;
      });
      const query = `query(${chunk.map((_, j) => `$i${j}: String!`).join(', ')}) { ${fields.join(' ')} }`;
      const res = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: bearer(TEST_ADMIN_TOKEN) },
        body: JSON.stringify({ query, variables: vars }),
      });
      const body = (await res.json()) as { data?: Record<string, any> | null };
      chunk.forEach((id, j) => {
        const t = body.data?.[`t${j}`];
        if (!t || t.prediction.id !== id || t.modelVersion.model.name !== modelName) missing.push(id);
        else versions.set(t.modelVersion.version, (versions.get(t.modelVersion.version) ?? 0) + 1);
      });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return { missing, versions };
}

/**
 * Removes the predictions a client suite logged against its models (names
 * starting with one of `prefixes`): the suites log 50,000 each, and every
 * later test that digests the whole graph would read them. Test cleanup only:
 * the API deletes no predictions.
 */
export async function deleteSuitePredictions(prefixes: string[]): Promise<number> {
  const driver = testDriver();
  const session = driver.session();
  try {
    const r = await session.run(
      `MATCH (p:Prediction)-[:MADE_BY]->(v:ModelVersion)
       WHERE any(prefix IN $prefixes WHERE v.modelName STARTS WITH prefix)
       CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 5000 ROWS
       RETURN count(*) AS deleted`,
      { prefixes },
    );
    const left = await session.run(
      'MATCH (p:Prediction)-[:MADE_BY]->(v:ModelVersion) WHERE any(prefix IN $prefixes WHERE v.modelName STARTS WITH prefix) RETURN count(p) AS n',
      { prefixes },
    );
    if (Number(left.records[0]?.get('n')) !== 0)
      throw new Error(`predictions of ${prefixes.join(', ')} models are left after cleanup`);
    return Number(r.records[0]?.get('deleted') ?? 0);
  } finally {
    await session.close();
    await driver.close();
  }
}

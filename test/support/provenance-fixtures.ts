import { randomUUID } from 'node:crypto';
import neo4j from 'neo4j-driver';
import { inject } from 'vitest';

// TEST-ONLY stand-in for the registry's createModelVersion until it lands on
// main: writes the node shapes documented in docs/graph.md (RegisteredModel,
// ModelVersion -VERSION_OF->, -PRODUCED_BY-> Run, Alias -POINTS_TO->).

async function run(cypher: string, params: Record<string, unknown>) {
  const driver = neo4j.driver(inject('neo4jUri'), neo4j.auth.basic('neo4j', ''));
  const session = driver.session();
  try {
    return await session.run(cypher, params);
  } finally {
    await session.close();
    await driver.close();
  }
}

export async function createModelVersionNode(o: {
  modelName: string;
  version: number;
  runId?: string | null;
  stage?: string;
  fingerprint?: string | null;
}): Promise<string> {
  const id = randomUUID();
  await run(
    `MERGE (m:RegisteredModel {name: $modelName}) ON CREATE SET m.id = randomUUID(), m.createdAt = datetime()
     CREATE (v:ModelVersion {id: $id, modelName: $modelName, version: $version, stage: $stage, fingerprint: $fingerprint, createdAt: datetime()})-[:VERSION_OF]->(m)
     WITH v OPTIONAL MATCH (r:Run {id: $runId})
     FOREACH (x IN CASE WHEN r IS NULL THEN [] ELSE [r] END | CREATE (v)-[:PRODUCED_BY]->(x))`,
    { id, modelName: o.modelName, version: neo4j.int(o.version), stage: o.stage ?? 'DEVELOPMENT', fingerprint: o.fingerprint ?? null, runId: o.runId ?? null },
  );
  return id;
}

export async function pointAlias(modelName: string, alias: string, version: number): Promise<void> {
  await run(
    `MATCH (v:ModelVersion {modelName: $modelName, version: $version})
     MERGE (a:Alias {modelName: $modelName, name: $alias})
     WITH a, v OPTIONAL MATCH (a)-[old:POINTS_TO]->() DELETE old
     WITH DISTINCT a, v CREATE (a)-[:POINTS_TO]->(v)`,
    { modelName, alias, version: neo4j.int(version) },
  );
}

export async function countNodes(label: 'Prediction' | 'Event'): Promise<number> {
  const r = await run(`MATCH (n:${label}) RETURN count(n) AS c`, {});
  return r.records[0]!.get('c').toNumber();
}

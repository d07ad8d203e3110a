import { existsSync, readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  parse,
  print,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { as, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { COVERED_OPERATIONS } from '../unit/schema.test.js';

/**
 * Hostile strings through every String argument (top level and inside input
 * objects) of every contract operation the schema covers. Each must be stored
 * literally or refused with a clear error code, and nothing that existed
 * before may be deleted. A covered operation with string arguments needs a
 * baseline below: the test fails, naming it, until it has one.
 */
const HOSTILE: [string, string][] = [
  ['double quote', 'a"b'],
  ['single quote', "a'b"],
  ['backtick', 'a`b'],
  ['cypher break-out', "'}) DETACH DELETE n //"],
  ['cypher break-out (double)', '"}) DETACH DELETE n //'],
  ['cypher break-out (backtick)', '`}) MATCH (n) DETACH DELETE n //'],
  ['parameter lookalike', '$name'],
  ['NUL', 'a\u0000b'],
  ['right-to-left override', 'abc\u202Edcb\u200F'],
  ['backslashes', 'a\\\\\'b\\"'],
  ['1 MB', 'x'.repeat(1024 * 1024)],
];

/** Clear, expected refusals; anything else (INTERNAL_SERVER_ERROR above all) fails. */
const CLEAR_CODES = ['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'GATE_FAILED', 'LIMIT_EXCEEDED', 'CHECKSUM_MISMATCH'];

type Vars = Record<string, unknown>;
/** A model with versions 1 and 2 and alias `shadow` → 1, made once (beforeAll). */
let M = '';
/** A CONTRIBUTOR's token: promotion requests it makes can be approved by the test admin. */
let contributor = '';
const v1 = () => ({ modelName: M, version: 1 });

async function freshModel(url: string): Promise<string> {
  const name = await createModel(url, uniq('inj'));
  await createVersion(url, name);
  await createVersion(url, name);
  return name;
}
async function pendingRequest(url: string): Promise<string> {
  const d = await gqlOk(url, contractOp('RequestPromotion'), { ref: v1(), target: { stage: 'PRODUCTION' }, evidence: [] }, as(contributor));
  return d.requestPromotion.id;
}

async function datasetVersion(url: string): Promise<string> {
  return (await gqlOk(url, contractOp('RegisterDatasetVersion'), { input: { dataset: uniq('inj-ds'), version: '1' } })).registerDatasetVersion.id;
}
async function runId(url: string): Promise<string> {
  return (await gqlOk(url, contractOp('CreateRun'), { input: { name: uniq('inj-run') } })).createRun.id;
}

/** Valid variables for each covered operation (fixtures created on the fly, unique names). */
const BASELINES: Record<string, (t: TestServer) => Promise<Vars> | Vars> = {
  CreateApiToken: () => ({ name: uniq('inj'), role: 'VIEWER' }),
  CreateRegisteredModel: () => ({ input: { name: uniq('inj'), description: 'd', owner: 'team-a', tags: [{ key: 'k', value: 'v' }], idempotencyKey: uniq('idem') } }),
  GetRegisteredModel: () => ({ name: M }),
  ListRegisteredModels: () => ({ first: 5, filter: { nameContains: 'inj', owner: 'team-a', tag: { key: 'k', value: 'v' } } }),
  CreateModelVersion: () => ({
    input: {
      modelName: M, source: 's3://bucket/inj/model.pkl', checksum: sha('b'), framework: 'sklearn', description: 'd',
      tags: [{ key: 'k', value: 'v' }], metrics: [{ key: 'auc', value: 0.9, segment: 'all' }], idempotencyKey: uniq('idem'),
    },
  }),
  GetModelVersion: () => ({ modelName: M, version: 1 }),
  GetModelVersionByAlias: () => ({ modelName: M, alias: 'shadow' }),
  ResolveModelUri: () => ({ uri: `models:/${M}/1` }),
  SearchModelVersions: () => ({ filter: { modelName: M, tag: { key: 'k', value: 'v' }, metric: { key: 'auc', op: 'GT', value: 0.1 } }, orderBy: [{ field: 'METRIC', metricKey: 'auc', direction: 'DESC' }], first: 5 }),
  SetModelVersionTag: () => ({ ref: v1(), key: 'k', value: 'v' }),
  // version 2: SetModelVersionTag stores the hostile keys on version 1, and deleting those would be legitimate
  DeleteModelVersionTag: () => ({ ref: { modelName: M, version: 2 }, key: 'no-such-tag' }),
  SetRegisteredModelTag: () => ({ modelName: M, key: 'k', value: 'v' }),
  SetRegisteredModelAlias: () => ({ modelName: M, alias: uniq('a'), version: 1 }),
  DeleteRegisteredModelAlias: () => ({ modelName: M, alias: 'no-such-alias' }),
  AliasHistory: () => ({ modelName: M, alias: 'shadow', first: 5 }),
  AliasAt: () => ({ modelName: M, alias: 'shadow', at: new Date().toISOString() }),
  TransitionStage: () => ({ ref: { modelName: M, version: 2 }, stage: 'DEVELOPMENT', comment: 'c' }),
  AuditLog: () => ({ filter: { modelName: M, actor: 'admin', types: ['ALIAS_SET'] }, first: 5 }),
  SetModelOwners: () => ({ modelName: M, owners: ['admin', 'otto'] }),
  RequestPromotion: () => ({ ref: v1(), target: { stage: 'PRODUCTION' }, evidence: [{ kind: 'SIGN_OFF', uri: 'https://ci.example/1', summary: 's' }] }),
  ApprovePromotion: async (t) => ({ id: await pendingRequest(t.url), comment: 'c' }),
  RejectPromotion: async (t) => ({ id: await pendingRequest(t.url), reason: 'r' }),
  RegisterDatasetVersion: () => ({ input: { dataset: uniq('inj-ds'), version: '1', hash: sha('c'), uri: 's3://bucket/ds/1', rowCount: 10, sources: ['s3://raw/inj'] } }),
  CreateRun: async (t) => ({
    input: {
      name: 'r', experiment: 'e', codeRepo: 'https://git.example/repo', codeCommit: 'abc123', environment: 'sha256:env',
      params: [{ key: 'lr', value: '0.1' }], seeds: [1], inputs: [{ datasetVersionId: await datasetVersion(t.url), role: 'train' }],
    },
  }),
  FinishRun: async (t) => ({ id: await runId(t.url), status: 'FINISHED', metrics: [{ key: 'auc', value: 0.9, segment: 'all' }] }),
  LogPredictions: () => ({ input: { model: v1(), deployment: uniq('dep'), predictions: [{ id: uniq('p'), at: '2026-01-02T03:04:05.000Z', inputRef: 'in-1' }] } }),
  TracePrediction: () => ({ id: 'no-such-prediction' }),
  RecordDeployment: () => ({
    input: { name: uniq('inj-dep'), environment: 'staging', endpoint: 'https://serve.example/inj', models: [{ ref: v1(), weight: 1, checksum: sha('a') }] },
  }),
  DeploymentAt: () => ({ name: 'no-such-deployment', at: new Date().toISOString() }),
  ModelCard: () => ({ ref: v1() }),
  Attestation: () => ({ ref: v1() }),
  VerifyAttestation: () => ({ envelope: '{"payload":"","payloadType":"application/vnd.in-toto+json","signatures":[]}' }),
  Lineage: async (t) => ({ id: await datasetVersion(t.url), direction: 'BOTH', depth: 2, relations: ['DERIVED_FROM'] }),
  DatasetImpact: async (t) => ({ datasetVersionId: await datasetVersion(t.url) }),
  Rollback: async (t) => {
    const name = await freshModel(t.url);
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'shadow', version: 1 });
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'shadow', version: 2 });
    return { modelName: name, alias: 'shadow', version: 1, reason: 'r' };
  },
};

const root = new URL('../../', import.meta.url);
const contractPath = [new URL('../shared/contract/operations.graphql', root), new URL('shared/contract/operations.graphql', root)].find((u) => existsSync(u));

/** Paths (e.g. ['input', 'tags', 0, 'key']) of every String leaf reachable from the variables. */
function stringPaths(schema: GraphQLSchema, op: OperationDefinitionNode): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (type: GraphQLInputType, path: (string | number)[], depth: number) => {
    if (depth > 4) return;
    const t = getNullableType(type);
    if (isListType(t)) return walk(t.ofType, [...path, 0], depth);
    if (isInputObjectType(t)) {
      for (const f of Object.values(t.getFields())) walk(f.type, [...path, f.name], depth + 1);
      return;
    }
    if (getNamedType(t).name === 'String') out.push(path);
  };
  for (const v of op.variableDefinitions ?? []) {
    const type = typeFromAST(schema, v.type as any) as GraphQLInputType | undefined;
    if (type) walk(type, [v.variable.name.value], 0);
  }
  return out;
}

/** A deep copy of `vars` with the string at `path` set to `value` (creating list items/objects as needed). */
function withValue(vars: Vars, path: (string | number)[], value: string): Vars {
  const copy = structuredClone(vars);
  let node: any = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    if (node[key] === undefined || node[key] === null) node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key];
  }
  node[path[path.length - 1]!] = value;
  return copy;
}

const schema: GraphQLSchema = buildSchema(readFileSync(new URL('schema/schema.graphql', root), 'utf8'));
const ops: OperationDefinitionNode[] = parse(readFileSync(contractPath!, 'utf8')).definitions.filter(
  // Subscriptions run over graphql-ws, not as HTTP POSTs; their arguments go through the same input limits.
  (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && d.operation !== 'subscription' && COVERED_OPERATIONS.includes(d.name!.value),
);

describe('injection: hostile strings through every string argument of the contract', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    M = await freshModel(t.url);
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: M, alias: 'shadow', version: 1 });
    contributor = (await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq('inj-contrib'), role: 'CONTRIBUTOR' })).createApiToken.token;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function nodeIds(): Promise<Set<string>> {
    const s = t.app.executor.driver.session();
    try {
      const r = await s.run('MATCH (n) RETURN elementId(n) AS id');
      return new Set(r.records.map((x) => x.get('id') as string));
    } finally {
      await s.close();
    }
  }

  async function storedLiterally(value: string): Promise<boolean> {
    const s = t.app.executor.driver.session();
    try {
      const r = await s.run(
        // equal, in a list, or inside a JSON text property (evidence, event payloads)
        `MATCH (n) WHERE any(k IN keys(n) WHERE n[k] = $v OR (n[k] IS :: LIST<ANY> AND $v IN n[k])
           OR (n[k] IS :: STRING AND n[k] CONTAINS $json)) RETURN count(n) AS c`,
        { v: value, json: JSON.stringify(value).slice(1, -1) },
      );
      return r.records[0]!.get('c').toNumber() > 0;
    } finally {
      await s.close();
    }
  }

  it('every covered operation with string arguments has a baseline', () => {
    const missing = ops.filter((op) => stringPaths(schema, op).length > 0 && !BASELINES[op.name!.value]).map((op) => op.name!.value);
    expect(missing, 'add baselines to test/e2e/injection.e2e.test.ts').toEqual([]);
  });

  const withBaselines = ops.filter((op) => BASELINES[op.name!.value] && stringPaths(schema, op).length > 0);
  it.each(withBaselines.map((op) => [op.name!.value, op] as const))('%s: each hostile string is stored literally or refused with a clear error; nothing is deleted', async (_name, op) => {
    const report: string[] = [];
    {
      const baseline = BASELINES[op.name!.value]!;
      const query = print(op);
      for (const path of stringPaths(schema, op)) {
        for (const [label, hostile] of HOSTILE) {
          const vars = withValue(await baseline(t), path, hostile);
          const before = await nodeIds();
          const r = await gql(t.url, query, vars);
          const where = `${op.name!.value} ${path.join('.')} ← ${label}`;
          if (r.errors?.length) {
            const c = r.errors[0]!.extensions?.code ?? `HTTP ${r.status}`;
            expect(CLEAR_CODES, `${where}: ${JSON.stringify(r.errors[0]).slice(0, 300)}`).toContain(c);
            expect(r.errors[0]!.message.length, where).toBeLessThan(500);
            const after = await nodeIds();
            expect(after.size, `${where}: a refused operation wrote`).toBe(before.size);
            report.push(`${where}: refused ${c}`);
          } else {
            const after = await nodeIds();
            expect([...before].filter((id) => !after.has(id)), `${where}: nodes vanished`).toEqual([]);
            if (op.operation === 'mutation') expect(await storedLiterally(hostile), `${where}: not stored literally`).toBe(true);
            report.push(`${where}: accepted`);
          }
        }
      }
    }
    expect(report.length).toBeGreaterThan(0);
  }, 300_000);
});

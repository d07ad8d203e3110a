import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { emitSdl } from '../../src/schema/index.js';

const root = new URL('../../', import.meta.url);
const committed = new URL('schema/schema.graphql', root);
// The contract lives beside the repository in shared/; CI clones it there too.
const contractPath = [
  new URL('../shared/contract/operations.graphql', root),
  new URL('shared/contract/operations.graphql', root),
].find((u) => existsSync(u));

/**
 * Contract operations the schema covers. The list only grows: a covered
 * operation that stops validating fails here, and so does an operation that
 * validates without being listed (add it).
 */
export const COVERED_OPERATIONS: string[] = [
  // registry
  'CreateRegisteredModel',
  'GetRegisteredModel',
  'ListRegisteredModels',
  'CreateModelVersion',
  'GetModelVersion',
  'GetModelVersionByAlias',
  'ResolveModelUri',
  'SearchModelVersions',
  'SetModelVersionTag',
  'DeleteModelVersionTag',
  'SetRegisteredModelTag',
  'SetRegisteredModelAlias',
  'DeleteRegisteredModelAlias',
  'AliasHistory',
  'AliasAt',
  'TransitionStage',
  'AuditLog',
  // provenance
  'RegisterDatasetVersion',
  'CreateRun',
  'FinishRun',
  'LogPredictions',
  'TracePrediction',
  'Lineage',
  'DatasetImpact',
  // live events
  'AliasChanged',
  'RegistryEvents',
  // governance
  'CreateApiToken',
  'SetModelOwners',
  'RequestPromotion',
  'ApprovePromotion',
  'RejectPromotion',
  'Rollback',
  // operations
  'RecordDeployment',
  'DeploymentAt',
  'ModelCard',
  'Attestation',
  'VerifyAttestation',
];

describe('schema', () => {
  it('schema/schema.graphql is the SDL the code builds (run `npm run schema:emit` if this fails)', async () => {
    const sdl = await emitSdl();
    expect(existsSync(committed), 'schema/schema.graphql is missing: run npm run schema:emit').toBe(true);
    expect(readFileSync(committed, 'utf8'), 'schema/schema.graphql is stale: run npm run schema:emit').toBe(sdl);
  });

  it('accepts every covered contract operation exactly as written', () => {
    expect(contractPath, 'shared/contract/operations.graphql not found beside the repository').toBeDefined();
    const schema = buildSchema(readFileSync(committed, 'utf8'));
    const doc = parse(readFileSync(contractPath!, 'utf8'));
    const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const valid: string[] = [];
    const failures: string[] = [];
    for (const op of ops) {
      // graphql 16's validate() does not check that the root type exists.
      const root = {
        query: schema.getQueryType(),
        mutation: schema.getMutationType(),
        subscription: schema.getSubscriptionType(),
      }[op.operation];
      const errors = root
        ? validate(schema, { kind: doc.kind, definitions: [op] })
        : [{ message: `no ${op.operation} type` }];
      const name = op.name!.value;
      if (errors.length === 0) valid.push(name);
      else if (COVERED_OPERATIONS.includes(name)) failures.push(`${name}: ${errors.map((e) => e.message).join('; ')}`);
    }
    expect(failures).toEqual([]);
    expect(
      valid.filter((n) => !COVERED_OPERATIONS.includes(n)),
      'these now validate: add them to COVERED_OPERATIONS',
    ).toEqual([]);
  });
});

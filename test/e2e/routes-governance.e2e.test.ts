import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLFLOW_ENDPOINTS } from '../../src/mlflow/router.js';
import { OPENLINEAGE_BATCH_PATH, OPENLINEAGE_PATH } from '../../src/server/openlineage.js';
import {
  ARTIFACTS,
  governedModel,
  governedState,
  makePeople,
  mlflow,
  type GovernedModel,
  type People,
} from '../support/governed.js';
import { as, gql, sha, uniq } from '../support/graphql.js';
import { headSequence } from '../support/operations-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Every mutating route × role × governed state. The routes come from the
 * route tables themselves (the schema's Mutation fields, MLflow's
 * MLFLOW_ENDPOINTS), so a new route is walked without editing this test; its
 * arguments are made from their names and types. Each route is called with
 * every value of the dimensions that pick a governed state on the fixture
 * model (version 1 in PRODUCTION behind `champion` with a served prediction,
 * version 2 in CANARY, version 3 with a pending request; the protected aliases
 * `champion` and `production`; every stage), and:
 * - as a VIEWER, nothing is written (no event: every write appends one);
 * - as a CONTRIBUTOR who neither owns the model nor requested anything,
 *   nothing governance protects changes (name, owners, protected aliases and
 *   their targets, stages, sources and checksums, the prediction's trace, the
 *   pending request).
 */
describe('every mutating route × role × governed state', () => {
  let t: TestServer;
  let p: People;
  let m: GovernedModel;
  let experimentId: string;
  let baseline: unknown;
  beforeAll(async () => {
    t = await startTestServer();
    p = await makePeople(t.url);
    m = await governedModel(t.url, p);
    experimentId = (await mlflow(t.url, p.tokens.requester, 'POST', 'experiments/create', { name: uniq('routes-exp') }))
      .json.experiment_id;
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Values by argument (or input field) name; lists are the variants a route is called with. */
  const byName = (): Record<string, unknown[]> => ({
    modelName: [m.name],
    name: [m.name],
    newName: [uniq('renamed')],
    alias: ['champion', 'production'],
    version: [1, 2, 3],
    id: [m.pending.requestId],
    source: ['s3://attacker/backdoor'],
    checksum: [sha('f')],
    owners: [[p.names.contributor]],
    aliases: [[]],
    force: [true],
    archiveExisting: [true],
    reason: ['because'],
    comment: ['because'],
    uri: ['https://attacker.example/x'],
    url: ['https://attacker.example/hook'],
    role: ['ADMIN'],
  });

  /** One value of an input type, from the argument's name first, else its type. */
  function valuesFor(argName: string, type: GraphQLInputType, depth = 0): unknown[] {
    const inner = isNonNullType(type) ? type.ofType : type;
    const scalar = getNamedType(inner);
    // A named value only where its type fits (a dataset's `version` is a String, a model version's an Int).
    const fits = (v: unknown) =>
      !isScalarType(scalar) ||
      (['Int', 'Float'].includes(scalar.name)
        ? typeof v === 'number'
        : scalar.name === 'Boolean'
          ? typeof v === 'boolean'
          : true);
    const given = byName()[argName];
    const named = given
      ?.filter((v) => Array.isArray(v) || fits(v))
      .map((v) =>
        isScalarType(scalar) && ['String', 'ID'].includes(scalar.name) && typeof v === 'number' ? String(v) : v,
      );
    if (isListType(inner)) {
      if (named?.length) return named.map((v) => (Array.isArray(v) ? v : [v]));
      return valuesFor(argName, inner.ofType, depth).map((v) => [v]);
    }
    if (named?.length) return named;
    const base = getNamedType(inner);
    if (isEnumType(base))
      return argName === 'stage' || base.name === 'Stage'
        ? base.getValues().map((v) => v.value)
        : [base.getValues()[0]!.value];
    if (isInputObjectType(base)) {
      if (depth > 4) return [{}];
      const fields = base.getFields();
      // A version ref takes exactly one of version and alias: one variant per governed version and per protected alias.
      const isRef = 'version' in fields && 'alias' in fields;
      let variants: Record<string, unknown>[] = [{}];
      for (const f of Object.values(fields)) {
        if (isRef && (f.name === 'version' || f.name === 'alias')) continue;
        if (!isNonNullType(f.type) && !['stage', 'modelName'].includes(f.name)) continue;
        const vs = valuesFor(f.name, f.type, depth + 1);
        variants = variants.flatMap((v) => vs.map((x) => ({ ...v, [f.name]: x })));
      }
      if (isRef)
        variants = variants.flatMap((v) => [
          ...byName().version!.map((version) => ({ ...v, version })),
          ...byName().alias!.map((alias) => ({ ...v, alias })),
        ]);
      return variants;
    }
    if (isScalarType(base)) {
      switch (base.name) {
        case 'Int':
          return [1];
        case 'Float':
          return [0.5];
        case 'Boolean':
          return [true];
        case 'DateTime':
          return [new Date().toISOString()];
        case 'ID':
          return [m.pending.requestId];
        default:
          return ['x'];
      }
    }
    return [null];
  }

  /** Every combination of the arguments' variants (required ones, and the optional ones byName knows). */
  function argumentSets(args: readonly GraphQLArgument[]): Record<string, unknown>[] {
    let sets: Record<string, unknown>[] = [{}];
    for (const a of args) {
      if (!isNonNullType(a.type) && !byName()[a.name]) continue;
      const vs = valuesFor(a.name, a.type);
      sets = sets.flatMap((s) => vs.map((v) => ({ ...s, [a.name]: v })));
    }
    return sets.slice(0, 24);
  }

  it('GraphQL: a VIEWER writes nothing and a CONTRIBUTOR changes nothing governance protects, through any mutation', async () => {
    baseline = await governedState(t.url, m);
    const mutations = Object.values(t.app.schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(30);
    let calls = 0;
    for (const field of mutations) {
      const sets = argumentSets(field.args);
      expect(sets.length, `${field.name}: no arguments could be made`).toBeGreaterThan(0);
      const varDefs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
      const callArgs = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
      const query = `mutation${varDefs ? `(${varDefs})` : ''} { ${field.name}${callArgs ? `(${callArgs})` : ''}${selection} }`;
      for (const vars of sets) {
        for (const who of ['viewer', 'contributor'] as const) {
          const head = await headSequence();
          const r = await gql(t.url, query, vars, as(p.tokens[who]));
          calls++;
          const where = `${field.name}(${JSON.stringify(vars)}) as ${who}: ${JSON.stringify(r.errors?.[0]?.message ?? 'accepted')}`;
          if (who === 'viewer') {
            expect(r.errors?.[0]?.extensions?.code, where).toBe('FORBIDDEN');
            expect(await headSequence(), where).toBe(head);
          }
          expect(await governedState(t.url, m), where).toEqual(baseline);
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
  }, 900_000);

  it('MLflow: a VIEWER writes nothing and a CONTRIBUTOR changes nothing governance protects, through any endpoint', async () => {
    baseline = await governedState(t.url, m);
    const base = t.url.replace(/\/graphql$/, '');
    const bodies: Record<string, unknown>[] = [];
    for (const version of ['1', '2', '3']) {
      for (const stage of ['None', 'Staging', 'Production', 'Archived']) {
        for (const alias of ['champion', 'production']) {
          bodies.push({
            name: m.name,
            new_name: uniq('renamed'),
            version,
            stage,
            alias,
            archive_existing_versions: true,
            key: 'pedigree.checksum',
            value: sha('f'),
            description: 'changed',
            source: 's3://attacker/backdoor',
            run_id: 'x',
            // The fixture's own experiment: a contributor may rename or delete experiments, which must not touch other
            // tests' ones.
            experiment_id: experimentId,
          });
        }
      }
    }
    let calls = 0;
    for (const [method, path, access] of MLFLOW_ENDPOINTS) {
      if (access === 'read') continue;
      const url = `${base}/api/2.0/mlflow/${path.replace('{model_id}', 'm-0').replace('{tag_key}', 'k').replace('{webhook_id}', 'w-0')}`;
      for (const body of path.startsWith('registered-models') || path.startsWith('model-versions')
        ? bodies
        : bodies.slice(0, 1)) {
        for (const who of ['viewer', 'contributor'] as const) {
          const head = await headSequence();
          // A GET carries its parameters in the query string, as MLflow's client sends them.
          const query =
            method === 'GET'
              ? `?${new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]))}`
              : '';
          const res = await fetch(url + query, {
            method,
            headers: { authorization: `Bearer ${p.tokens[who]}`, 'content-type': 'application/json' },
            body: method === 'GET' ? undefined : JSON.stringify(body),
          });
          const text = await res.text();
          calls++;
          const where = `${method} ${path} ${JSON.stringify(body)} as ${who}: ${res.status} ${text.slice(0, 200)}`;
          if (who === 'viewer') {
            expect(res.status, where).toBe(403);
            expect(await headSequence(), where).toBe(head);
          }
          expect(await governedState(t.url, m), where).toEqual(baseline);
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
  }, 900_000);

  it("OpenLineage: a VIEWER writes nothing and a CONTRIBUTOR's events cannot claim a governed version's source", async () => {
    baseline = await governedState(t.url, m);
    const base = t.url.replace(/\/graphql$/, '');
    const now = new Date().toISOString();
    // An output named exactly like each governed version's source: linking it would re-point the version's training
    // run.
    const events = [1, 2, 3].flatMap((v) =>
      ['START', 'COMPLETE'].map((eventType) => ({
        eventType,
        eventTime: now,
        producer: 'https://attacker.example',
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
        run: { runId: '0b7d2b40-1111-4c5e-9b0a-00000000000' + v },
        job: { namespace: 'attacker', name: 'train' },
        inputs: [],
        outputs: [{ namespace: 's3://governed', name: `${m.name}/v${v}` }],
      })),
    );
    let calls = 0;
    for (const path of [OPENLINEAGE_PATH, OPENLINEAGE_BATCH_PATH]) {
      for (const ev of events) {
        for (const who of ['viewer', 'contributor'] as const) {
          const head = await headSequence();
          const res = await fetch(`${base}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${p.tokens[who]}`, 'content-type': 'application/json' },
            body: JSON.stringify(path === OPENLINEAGE_BATCH_PATH ? [ev] : ev),
          });
          const where = `${path} ${ev.eventType} ${ev.outputs[0]!.name} as ${who}: ${res.status} ${(await res.text()).slice(0, 200)}`;
          calls++;
          if (who === 'viewer') {
            expect(res.status, where).toBe(403);
            expect(await headSequence(), where).toBe(head);
          }
          expect(await governedState(t.url, m), where).toEqual(baseline);
        }
      }
    }
    expect(calls).toBe(24);
  }, 300_000);

  it("artifact proxy: a VIEWER writes nothing and a CONTRIBUTOR (or the run's own creator) cannot change a sealed version's files", async () => {
    baseline = await governedState(t.url, m);
    const base = t.url.replace(/\/graphql$/, '');
    const paths = [m.stored.file, `${m.stored.runRoot}/model/added.bin`, `${m.stored.runRoot}/model`, m.stored.runRoot];
    let calls = 0;
    for (const path of paths) {
      for (const method of ['PUT', 'DELETE']) {
        if (method === 'PUT' && !path.endsWith('.bin')) continue;
        for (const who of ['viewer', 'contributor', 'requester'] as const) {
          const head = await headSequence();
          const res = await fetch(`${base}${ARTIFACTS}/${path}`, {
            method,
            headers: { authorization: `Bearer ${p.tokens[who]}` },
            body: method === 'PUT' ? 'attacker bytes' : undefined,
          });
          const where = `${method} ${path} as ${who}: ${res.status} ${(await res.text()).slice(0, 200)}`;
          calls++;
          expect(res.status, where).not.toBe(200);
          if (who === 'viewer') expect(await headSequence(), where).toBe(head);
          expect(await governedState(t.url, m), where).toEqual(baseline);
        }
      }
    }
    expect(calls).toBe(18);
  }, 300_000);
});

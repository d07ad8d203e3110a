import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, bearer, gql, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The alias view against Neo4j: two servers on the one test Neo4j, one
 * answering alias, `latest`, stage and number lookups from its view
 * (`view`), one with the view off (`direct`, every lookup a Cypher
 * statement). After each random history of writes (through both servers and
 * both APIs: creates, alias moves and deletes, rollbacks, stage changes,
 * tags, descriptions, renames, version and model deletes, refused writes
 * included), every lookup must answer the same on both, field for field,
 * when the view server is asked with the history's consistency token. A
 * third server started afterwards (its view built from the graph, not from
 * events) must agree too.
 */
const LIMITS = { PEDIGREE_MAX_COST: '10000000' };
let view: TestServer;
let direct: TestServer;

beforeAll(async () => {
  view = await startTestServer(
    { ...LIMITS, PEDIGREE_EVENT_POLL_MS: '60000', PEDIGREE_MIN_SEQUENCE_WAIT_MS: '30000' },
    { withoutPromotionGuard: true },
  );
  direct = await startTestServer({ ...LIMITS, PEDIGREE_ALIAS_VIEW: 'false' }, { withoutPromotionGuard: true });
  await ready(view);
}, 120_000);
afterAll(async () => {
  await Promise.all([view, direct].filter(Boolean).map((s) => s.close()));
});

async function ready(s: TestServer): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (s.app.services.aliasView.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`alias view: ${s.app.services.aliasView.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ALIASES = ['prod', 'shadow', 'latest'] as const;
const STAGES = ['DEVELOPMENT', 'STAGING', 'CANARY', 'PRODUCTION', 'ARCHIVED'] as const;
const MAX_VERSION = 4;

type Op =
  | { kind: 'version'; m: number; tag: boolean }
  | { kind: 'alias'; m: number; alias: number; v: number; via: 'graphql' | 'mlflow' }
  | { kind: 'unalias'; m: number; alias: number }
  | { kind: 'rollback'; m: number; alias: number; v: number }
  | { kind: 'stage'; m: number; v: number; stage: number; archive: boolean }
  | { kind: 'tag'; m: number; v: number; value: string }
  | { kind: 'describe'; m: number; v: number; text: string }
  | { kind: 'describeModel'; m: number; text: string }
  | { kind: 'rename'; m: number }
  | { kind: 'deleteVersion'; m: number; v: number }
  | { kind: 'deleteModel'; m: number }
  | { kind: 'recreate'; m: number };

const m = fc.nat(1);
const v = fc.integer({ min: 1, max: MAX_VERSION });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('version' as const), m, tag: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('alias' as const),
      m,
      alias: fc.nat(1),
      v,
      via: fc.constantFrom('graphql' as const, 'mlflow' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unalias' as const), m, alias: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rollback' as const), m, alias: fc.nat(1), v }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('stage' as const), m, v, stage: fc.nat(4), archive: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tag' as const), m, v, value: fc.string({ maxLength: 8 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('describe' as const), m, v, text: fc.string({ maxLength: 12 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('describeModel' as const), m, text: fc.string({ maxLength: 12 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), m }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteVersion' as const), m, v }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteModel' as const), m }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('recreate' as const), m }) },
);

/** Highest sequence a write answered with (GraphQL extensions or the Pedigree-Sequence header). */
let token = 0n;
const note = (s: string | null | undefined) => {
  if (s && BigInt(s) > token) token = BigInt(s);
};

async function graphql(url: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: bearer(TEST_ADMIN_TOKEN) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as {
    errors?: { extensions?: { code?: string } }[];
    extensions?: { sequence?: string };
  };
  note(body.extensions?.sequence);
  // A refused write (no such version, a rule) is part of the history: it must change nothing.
  for (const e of body.errors ?? [])
    expect(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'GATE_FAILED', 'FORBIDDEN']).toContain(e.extensions?.code);
}

async function mlflow(url: string, method: string, path: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(new URL(`/api/2.0/mlflow/${path}`, url), {
    method,
    headers: { 'content-type': 'application/json', authorization: bearer(TEST_ADMIN_TOKEN) },
    body: JSON.stringify(body),
  });
  note(res.headers.get('pedigree-sequence'));
  expect(res.status).toBeLessThan(500);
  await res.text();
}

/** Runs one op; `names` are the model names now (a rename changes one). */
async function run(op: Op, names: string[], step: number): Promise<void> {
  const url = step % 2 === 0 ? view.url : direct.url;
  const name = names[op.m]!;
  const ref = (n: number) => ({ modelName: name, version: n });
  switch (op.kind) {
    case 'version':
      return graphql(url, 'mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version } }', {
        i: {
          modelName: name,
          source: `s3://b/${name}/${step}`,
          checksum: sha('b'),
          ...(op.tag ? { tags: [{ key: 'k', value: String(step) }] } : {}),
        },
      });
    case 'alias':
      if (op.via === 'mlflow')
        return mlflow(url, 'POST', 'registered-models/alias', {
          name,
          alias: ALIASES[op.alias],
          version: String(op.v),
        });
      return graphql(
        url,
        'mutation($m: String!, $a: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: $a, version: $v) { sequence } }',
        { m: name, a: ALIASES[op.alias], v: op.v },
      );
    case 'unalias':
      return graphql(
        url,
        'mutation($m: String!, $a: String!) { deleteRegisteredModelAlias(modelName: $m, alias: $a) { sequence } }',
        { m: name, a: ALIASES[op.alias] },
      );
    case 'rollback':
      return graphql(
        url,
        'mutation($m: String!, $a: String!, $v: Int!) { rollback(modelName: $m, alias: $a, version: $v, reason: "test") { sequence } }',
        { m: name, a: ALIASES[op.alias], v: op.v },
      );
    case 'stage':
      return graphql(
        url,
        'mutation($r: ModelVersionRefInput!, $s: Stage!, $x: Boolean!) { transitionModelVersionStage(ref: $r, stage: $s, archiveExisting: $x) { version } }',
        { r: ref(op.v), s: STAGES[op.stage], x: op.archive },
      );
    case 'tag':
      return graphql(
        url,
        'mutation($r: ModelVersionRefInput!, $v: String!) { setModelVersionTag(ref: $r, key: "t", value: $v) { version } }',
        { r: ref(op.v), v: op.value },
      );
    case 'describe':
      return graphql(
        url,
        'mutation($r: ModelVersionRefInput!, $d: String!) { updateModelVersion(ref: $r, input: { description: $d }) { version } }',
        { r: ref(op.v), d: op.text },
      );
    case 'describeModel':
      return graphql(
        url,
        'mutation($n: String!, $d: String!) { updateRegisteredModel(name: $n, input: { description: $d }) { name } }',
        { n: name, d: op.text },
      );
    case 'rename': {
      const to = `${name.replace(/-r\d+$/, '')}-r${step}`;
      await mlflow(url, 'POST', 'registered-models/rename', { name, new_name: to });
      names[op.m] = to;
      return;
    }
    case 'deleteVersion':
      return mlflow(url, 'DELETE', 'model-versions/delete', { name, version: String(op.v) });
    case 'deleteModel':
      return graphql(url, 'mutation($n: String!) { deleteRegisteredModel(name: $n, force: true) { name } }', {
        n: name,
      });
    case 'recreate':
      return graphql(url, 'mutation($n: String!) { createRegisteredModel(input: { name: $n }) { name } }', { n: name });
  }
}

const VERSION_FIELDS = `id version semver stage source checksum fingerprint framework description createdAt updatedAt createdBy everProduction
  tags { key value } aliases run { id }
  promptTemplate model { id name kind description owner owners protectedAliases archivalChecklist createdAt updatedAt gates { metric op value } }`;

/** Every lookup the view answers for one model name, as queries of at most 15 root fields (the alias limit). */
function lookups(name: string): string[] {
  const s = JSON.stringify(name);
  const byAlias: string[] = [];
  for (const [j, a] of ALIASES.entries()) {
    byAlias.push(`a${j}: modelVersionByAlias(modelName: ${s}, alias: "${a}") { ${VERSION_FIELDS} }`);
    byAlias.push(`u${j}: resolveModelUri(uri: ${JSON.stringify(`models:/${name}@${a}`)}) { ${VERSION_FIELDS} }`);
  }
  const byStage = STAGES.map(
    (st, j) => `s${j}: resolveModelUri(uri: ${JSON.stringify(`models:/${name}/${st}`)}) { ${VERSION_FIELDS} }`,
  );
  const byNumber: string[] = [];
  for (let k = 1; k <= MAX_VERSION + 1; k++) {
    byNumber.push(`n${k}: modelVersion(modelName: ${s}, version: ${k}) { ${VERSION_FIELDS} }`);
    byNumber.push(`r${k}: resolveModelUri(uri: ${JSON.stringify(`models:/${name}/${k}`)}) { ${VERSION_FIELDS} }`);
  }
  return [byAlias, byStage, byNumber].map((fields) => `{ ${fields.join('\n')} }`);
}

async function answers(s: TestServer, names: readonly string[], headers: Record<string, string> = {}) {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    for (const q of lookups(name)) {
      const r = await gql(s.url, q, {}, headers);
      expect(r.errors).toBeUndefined();
      for (const [k, val] of Object.entries(r.data)) out[`${name}/${k}`] = val;
    }
  }
  return out;
}

async function mlflowAnswers(s: TestServer, names: readonly string[], headers: Record<string, string> = {}) {
  const out: unknown[] = [];
  for (const name of names) {
    for (const alias of ALIASES) {
      const u = new URL('/api/2.0/mlflow/registered-models/alias', s.url);
      u.searchParams.set('name', name);
      u.searchParams.set('alias', alias);
      const res = await fetch(u, { headers: { authorization: bearer(TEST_ADMIN_TOKEN), ...headers } });
      out.push([res.status, await res.json()]);
    }
  }
  return out;
}

describe('alias view property: the view answers as Neo4j does', () => {
  const allNames: string[] = [];

  it('after any history of writes (renames, deletes, rollbacks and refusals included), every alias, latest, stage and number lookup agrees with Neo4j', async () => {
    let secondHits = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 30, size: 'max' }), async (ops) => {
        const base = uniq('pv');
        const names = [`${base}-a`, `${base}-b`];
        // Each model starts with two versions, so most ops of a short history find what they name.
        for (const n of names) {
          await graphql(direct.url, 'mutation($n: String!) { createRegisteredModel(input: { name: $n }) { name } }', {
            n,
          });
          for (let i = 0; i < 2; i++) await run({ kind: 'version', m: names.indexOf(n), tag: i === 0 }, names, i);
        }
        const seen = new Set(names);
        for (const [step, op] of ops.entries()) {
          await run(op, names, step);
          names.forEach((n) => seen.add(n));
        }
        const asked = [...seen];
        allNames.push(...asked);
        const min = { 'Pedigree-Min-Sequence': token.toString() };
        const expected = await answers(direct, asked);
        const expectedMlflow = await mlflowAnswers(direct, asked);
        // A model's first lookups go to Neo4j while the view reads its records; once read, the view answers.
        expect(await answers(view, asked, min)).toEqual(expected);
        expect(await mlflowAnswers(view, asked, min)).toEqual(expectedMlflow);
        for (let i = 0; i < 200 && view.app.services.aliasView.reading; i++)
          await new Promise((r) => setTimeout(r, 25));
        const before = view.app.services.aliasView.lookups.hit;
        expect(await answers(view, asked, min)).toEqual(expected);
        expect(await mlflowAnswers(view, asked, min)).toEqual(expectedMlflow);
        secondHits += view.app.services.aliasView.lookups.hit - before;
      }),
      { numRuns: 12 },
    );
    // It was the view that answered (not Neo4j behind it), for most lookups once the models had been read.
    expect(secondHits).toBeGreaterThan(100);
  }, 600_000);

  it('a view built afterwards from the graph (not from events) agrees too, and a viewer sees exactly what the direct path shows a viewer', async () => {
    const fresh = await startTestServer(LIMITS, { withoutPromotionGuard: true });
    try {
      await ready(fresh);
      const min = { 'Pedigree-Min-Sequence': token.toString() };
      expect(await answers(fresh, allNames, min)).toEqual(await answers(direct, allNames));
      // Authorization is the root fields' policy on both paths: a viewer's token gets the same answer, no more.
      const viewer = await gql(
        direct.url,
        'mutation { createApiToken(name: "view-prop-viewer", role: VIEWER) { token } }',
      );
      expect(viewer.errors).toBeUndefined();
      const t = viewer.data.createApiToken.token as string;
      expect(await answers(fresh, allNames.slice(0, 4), { ...as(t), ...min })).toEqual(
        await answers(direct, allNames.slice(0, 4), as(t)),
      );
      const anon = await fetch(fresh.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: lookups(allNames[0]!)[0] }),
      });
      expect(anon.status).toBe(401);
    } finally {
      await fresh.close();
    }
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { bearer, sha, TEST_ADMIN_TOKEN, uniq, wsClient } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Consistency tokens across replicas: three servers on the one test Neo4j,
 * each with its own event tailer and alias view. The poll interval is the
 * longest allowed (60 s), so a replica that did not write sees another's
 * write only when a token makes it read the log (or at the next poll, long
 * after this file is done): without the token, its alias view would answer
 * from before the write.
 */
const WAIT_MS = 400;
const replicas: TestServer[] = [];
/** A fourth replica that waits only WAIT_MS for a token (the three above wait long: the machine may be busy). */
let impatient: TestServer;

beforeAll(async () => {
  const env = { PEDIGREE_EVENT_POLL_MS: '60000', PEDIGREE_MIN_SEQUENCE_WAIT_MS: '20000' };
  // One at a time: each applies the migrations at start (two replicas migrating a fresh database at once collide).
  for (let i = 0; i < 3; i++) replicas.push(await startTestServer(env, { withoutPromotionGuard: true }));
  impatient = await startTestServer({ ...env, PEDIGREE_MIN_SEQUENCE_WAIT_MS: String(WAIT_MS) });
  // Each view builds beside its server; wait until all three answer from memory.
  const deadline = Date.now() + 60_000;
  while (replicas.some((r) => r.app.services.aliasView.status !== 'ready')) {
    if (Date.now() > deadline)
      throw new Error(`alias views not ready: ${replicas.map((r) => r.app.services.aliasView.status).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 120_000);
afterAll(async () => {
  await Promise.all([...replicas, impatient].filter(Boolean).map((r) => r.close()));
});

interface Answer {
  status: number;
  sequenceHeader: string | null;
  retryAfter: string | null;
  body: {
    data?: any;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: bearer(TEST_ADMIN_TOKEN), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    sequenceHeader: res.headers.get('pedigree-sequence'),
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Answer['body'],
  };
}

async function mlflow(
  url: string,
  method: string,
  path: string,
  body: Record<string, unknown> | null,
  headers: Record<string, string> = {},
) {
  const u = new URL(`/api/2.0/mlflow/${path}`, url);
  if (method === 'GET' && body) for (const [k, v] of Object.entries(body)) u.searchParams.set(k, String(v));
  const res = await fetch(u, {
    method,
    headers: { 'content-type': 'application/json', authorization: bearer(TEST_ADMIN_TOKEN), ...headers },
    body: method === 'GET' ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    sequenceHeader: res.headers.get('pedigree-sequence'),
    retryAfter: res.headers.get('retry-after'),
    json: (await res.json()) as any,
  };
}

const BY_ALIAS = contractOp('GetModelVersionByAlias');
const SET_ALIAS = contractOp('SetRegisteredModelAlias');
const RESOLVE = 'query($uri: String!) { resolveModelUri(uri: $uri) { version stage } }';
const applied = (r: TestServer) => BigInt(r.app.services.consistency.applied() ?? '0');

describe('consistency tokens across three replicas on one Neo4j', () => {
  it('a write through one replica, read with its token through the others, is never stale (GraphQL and MLflow), and the view answered', async () => {
    const [a] = replicas;
    const name = await createModel(a!.url);
    for (let i = 0; i < 4; i++) await createVersion(a!.url, name);
    let waited = 0;
    const hitsBefore = replicas.map((r) => r.app.services.aliasView.lookups.hit);
    for (let i = 0; i < 12; i++) {
      const writer = replicas[i % 3]!;
      const target = 1 + ((i * 3) % 4);
      const w = await post(writer.url, SET_ALIAS, { modelName: name, alias: 'serving', version: target });
      expect(w.body.errors).toBeUndefined();
      // The token: in the body's extensions and the header, equal to the event's sequence.
      const token = w.body.extensions?.sequence as string;
      expect(token).toMatch(/^\d+$/);
      expect(w.sequenceHeader).toBe(token);
      expect(w.body.data.setRegisteredModelAlias.sequence).toBe(token);
      for (const reader of replicas) {
        if (reader === writer) continue;
        if (applied(reader) < BigInt(token)) waited++;
        const r = await post(
          reader.url,
          BY_ALIAS,
          { modelName: name, alias: 'serving' },
          { 'Pedigree-Min-Sequence': token },
        );
        expect(r.status).toBe(200);
        expect(r.body.data.modelVersionByAlias.version).toBe(target);
        expect(r.sequenceHeader).toBeNull(); // a read commits nothing
        const u = await post(
          reader.url,
          RESOLVE,
          { uri: `models:/${name}@serving` },
          { 'Pedigree-Min-Sequence': token },
        );
        expect(u.body.data.resolveModelUri.version).toBe(target);
        const m = await mlflow(
          reader.url,
          'GET',
          'registered-models/alias',
          { name, alias: 'serving' },
          { 'Pedigree-Min-Sequence': token },
        );
        expect(m.status).toBe(200);
        expect(m.json.model_version.version).toBe(String(target));
        expect(m.json.model_version.aliases).toContain('serving');
      }
      // The replica that wrote answers its own writes without a token (read-your-writes there).
      const own = await post(writer.url, BY_ALIAS, { modelName: name, alias: 'serving' });
      expect(own.body.data.modelVersionByAlias.version).toBe(target);
    }
    // The tokens mattered: the readers were behind when asked, and the alias view answered (no Bolt round trip).
    expect(waited).toBeGreaterThan(0);
    replicas.forEach((r, i) => expect(r.app.services.aliasView.lookups.hit).toBeGreaterThan(hitsBefore[i]!));
    // /metrics reports the view and the read position.
    const metrics = await (await fetch(new URL('/metrics', a!.url))).text();
    const gauge = (n: string) => Number(new RegExp(`^${n} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(gauge('pedigree_alias_view_ready')).toBe(1);
    expect(gauge('pedigree_alias_view_bytes')).toBeGreaterThan(0);
    expect(gauge('pedigree_alias_view_aliases')).toBeGreaterThan(0);
    expect(gauge('pedigree_read_position_sequence')).toBe(Number(a!.app.services.consistency.applied()));
  });

  it('writes carried by one group commit, batched into one statement, each get a token that covers their own write', async () => {
    const [a, b] = replicas;
    const names: string[] = [];
    for (let i = 0; i < 8; i++) {
      names.push(await createModel(a!.url));
      await createVersion(a!.url, names[i]!);
    }
    // B catches up with the set-up (a token from a's last write covers it all), so its view holds `latest` = 1 for
    // each.
    const setUp = await post(a!.url, SET_ALIAS, { modelName: names[0]!, alias: 'serving', version: 1 });
    for (const name of names) {
      const r = await post(
        b!.url,
        BY_ALIAS,
        { modelName: name, alias: 'latest' },
        { 'Pedigree-Min-Sequence': setUp.body.extensions!.sequence as string },
      );
      expect(r.body.data.modelVersionByAlias.version).toBe(1);
    }
    // 16 registrations at once through A: two per model, so A's group commit batches them.
    const batchedBefore = a!.app.executor.commits.batched;
    const writes = await Promise.all(
      names.flatMap((name) =>
        [0, 1].map(() =>
          post(a!.url, contractOp('CreateModelVersion'), {
            input: { modelName: name, source: `s3://bucket/${uniq('batched')}/model.pkl`, checksum: sha('a') },
          }),
        ),
      ),
    );
    expect(a!.app.executor.commits.batched).toBeGreaterThan(batchedBefore);
    for (const [i, w] of writes.entries()) {
      expect(w.body.errors).toBeUndefined();
      const token = w.body.extensions?.sequence as string;
      expect(token, `write ${i}`).toMatch(/^\d+$/);
      expect(w.sequenceHeader).toBe(token);
      // With its own token, B has the write: the version exists and `latest` is at least it.
      const name = names[Math.floor(i / 2)]!;
      const made = w.body.data.createModelVersion.version as number;
      const r = await post(b!.url, BY_ALIAS, { modelName: name, alias: 'latest' }, { 'Pedigree-Min-Sequence': token });
      expect(r.status).toBe(200);
      expect(r.body.data.modelVersionByAlias.version).toBeGreaterThanOrEqual(made);
    }
  });

  it('MLflow writes carry Pedigree-Sequence, and a token works from MLflow to GraphQL and back', async () => {
    const [a, b, c] = replicas;
    const name = await createModel(a!.url);
    await createVersion(a!.url, name);
    await createVersion(a!.url, name);
    const set = await mlflow(b!.url, 'POST', 'registered-models/alias', { name, alias: 'champion', version: '2' });
    expect(set.status).toBe(200);
    expect(set.sequenceHeader).toMatch(/^\d+$/);
    const viaGraphql = await post(
      c!.url,
      BY_ALIAS,
      { modelName: name, alias: 'champion' },
      { 'Pedigree-Min-Sequence': set.sequenceHeader! },
    );
    expect(viaGraphql.body.data.modelVersionByAlias.version).toBe(2);
    const del = await post(c!.url, contractOp('DeleteRegisteredModelAlias'), { modelName: name, alias: 'champion' });
    const token = del.body.extensions?.sequence as string;
    expect(BigInt(token)).toBeGreaterThan(BigInt(set.sequenceHeader!));
    const gone = await mlflow(
      a!.url,
      'GET',
      'registered-models/alias',
      { name, alias: 'champion' },
      { 'Pedigree-Min-Sequence': token },
    );
    expect(gone.status).toBe(404);
    expect(gone.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('a graphql-ws mutation carries extensions.sequence, and minSequence in a websocket payload is honoured', async () => {
    const [a, b] = replicas;
    const name = await createModel(a!.url);
    await createVersion(a!.url, name);
    const run = async (
      url: string,
      query: string,
      variables: Record<string, unknown>,
      extensions?: Record<string, unknown>,
    ) => {
      const client = wsClient(url);
      try {
        return await new Promise<any>((resolve, reject) => {
          let result: unknown;
          client.subscribe(
            { query, variables, extensions },
            { next: (r) => (result = r), error: reject, complete: () => resolve(result) },
          );
        });
      } finally {
        await client.dispose();
      }
    };
    const w = await run(a!.url, SET_ALIAS, { modelName: name, alias: 'live', version: 1 });
    expect(w.errors).toBeUndefined();
    expect(w.extensions.sequence).toBe(w.data.setRegisteredModelAlias.sequence);
    const r = await run(b!.url, BY_ALIAS, { modelName: name, alias: 'live' }, { minSequence: w.extensions.sequence });
    expect(r.data.modelVersionByAlias.version).toBe(1);
    // Refused before execution: graphql-ws hands the errors to the sink's error().
    const far = await run(
      impatient.url,
      BY_ALIAS,
      { modelName: name, alias: 'live' },
      { minSequence: String(BigInt(w.extensions.sequence) + 1_000_000n) },
    ).catch((e: unknown) => e);
    expect((far as { extensions: { code: string } }[])[0]!.extensions.code).toBe('UNAVAILABLE');
    expect((far as { message: string }[])[0]!.message).toMatch(/extensions\.minSequence/);
  });

  it('a token this replica has not applied within the wait is 503 UNAVAILABLE with Retry-After (MLflow: TEMPORARILY_UNAVAILABLE), never a stale answer', async () => {
    const a = impatient;
    const name = await createModel(a.url);
    await createVersion(a.url, name);
    const ahead = String(applied(a) + 1_000_000n);
    const started = Date.now();
    const r = await post(a.url, BY_ALIAS, { modelName: name, alias: 'latest' }, { 'Pedigree-Min-Sequence': ahead });
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_MS - 50);
    expect(r.status).toBe(503);
    expect(r.retryAfter).toBe('1');
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'UNAVAILABLE', minSequence: ahead });
    expect(r.body.errors![0]!.message).toMatch(/retry/);
    const m = await mlflow(
      a.url,
      'GET',
      'registered-models/alias',
      { name, alias: 'latest' },
      { 'Pedigree-Min-Sequence': ahead },
    );
    expect(m.status).toBe(503);
    expect(m.retryAfter).toBe('1');
    expect(m.json.error_code).toBe('TEMPORARILY_UNAVAILABLE');
  });

  it('a malformed token, or two different ones, is BAD_USER_INPUT and runs nothing', async () => {
    const [a] = replicas;
    const name = uniq('never');
    for (const headers of [{ 'Pedigree-Min-Sequence': 'abc' }, { 'Pedigree-Min-Sequence': '-1' }]) {
      const r = await post(a!.url, contractOp('CreateRegisteredModel'), { input: { name } }, headers);
      expect(r.status).toBe(400);
      expect(r.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    }
    const two = await post(
      `${a!.url}?minSequence=1`,
      contractOp('CreateRegisteredModel'),
      { input: { name } },
      { 'Pedigree-Min-Sequence': '2' },
    );
    expect(two.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const m = await mlflow(a!.url, 'GET', 'registered-models/get', { name }, { 'Pedigree-Min-Sequence': 'x1' });
    expect(m.status).toBe(400);
    expect(m.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    // Nothing was created.
    const got = await post(a!.url, contractOp('GetRegisteredModel'), { name });
    expect(got.body.data.registeredModel).toBeNull();
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { as, bearer, gqlOk, TEST_ADMIN_TOKEN, uniq, wsClient } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The fast path for repeated operations (issue 20): automatic persisted
 * queries over HTTP, and the per-document caches (parsed documents, APQ
 * registrations, the limits' plans) that never stand in for a check: every
 * request with a cached document is still authenticated, authorised, held to
 * the limits with its own variables and to its consistency token.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

interface Answer {
  status: number;
  cacheControl: string | null;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[] };
}

/** One POST /graphql with any body (APQ needs `extensions` and may leave `query` out). */
async function post(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = { authorization: bearer(TEST_ADMIN_TOKEN) },
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    cacheControl: res.headers.get('cache-control'),
    body: (await res.json()) as Answer['body'],
  };
}

const codeOf = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

/** One operation over graphql-ws as the admin; the first result, or the errors it was refused with. */
function overWs(url: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const client = wsClient(url);
  return new Promise<any>((resolve) => {
    client.subscribe({ query, variables }, { next: resolve, error: resolve, complete: () => undefined });
  }).finally(() => client.dispose());
}

async function viewerToken(url: string): Promise<string> {
  const d = await gqlOk(url, 'mutation($name: String!) { createApiToken(name: $name, role: VIEWER) { token } }', {
    name: uniq('viewer'),
  });
  return d.createApiToken.token as string;
}

async function cacheGauges(url: string): Promise<Record<string, { entries: number; characters: number }>> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const out: Record<string, { entries: number; characters: number }> = {};
  for (const m of text.matchAll(/^pedigree_operation_cache_(entries|characters)\{cache="(\w+)"\} (\d+)$/gm)) {
    const [, kind, cache, value] = m as unknown as [string, 'entries' | 'characters', string, string];
    out[cache] ??= { entries: -1, characters: -1 };
    out[cache][kind] = Number(value);
  }
  return out;
}

describe('the fast path: persisted queries and per-document caches', () => {
  let t: TestServer;
  let anon: TestServer;
  let small: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    // Anonymous reads on, and a short consistency wait, for the checks a cached document must still meet.
    anon = await startTestServer({ PEDIGREE_ANONYMOUS_READ: 'true', PEDIGREE_MIN_SEQUENCE_WAIT_MS: '300' });
    small = await startTestServer({ PEDIGREE_OPERATION_CACHE_ENTRIES: '20' });
  });
  afterAll(async () => {
    await Promise.all([t?.close(), anon?.close(), small?.close()]);
  });

  it('APQ over HTTP: a hash alone is PERSISTED_QUERY_NOT_FOUND, hash and text register it, then the hash alone answers (POST and GET)', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name);
    await createVersion(t.url, name);
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'serving', version: 2 });
    // A text no other test sends, so its hash is unknown to this server.
    const query = `${contractOp('GetModelVersionByAlias')}\n# apq ${name}`;
    const variables = { modelName: name, alias: 'serving' };

    const unknown = await post(t.url, { variables, extensions: persisted(query) });
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.body.data).toBeUndefined();

    const registered = await post(t.url, { query, variables, extensions: persisted(query) });
    expect(registered.status).toBe(200);
    expect(registered.body.data.modelVersionByAlias).toMatchObject({ version: 2, stage: 'DEVELOPMENT' });

    const byHash = await post(t.url, { variables, extensions: persisted(query) });
    expect(byHash.status).toBe(200);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual(registered.body.data);
    expect(byHash.cacheControl).toBe('no-store');

    // GET by hash (what a CDN-fronted client sends); CSRF prevention wants a preflight header.
    const search = new URLSearchParams({
      variables: JSON.stringify(variables),
      extensions: JSON.stringify(persisted(query)),
    });
    const get = await fetch(`${t.url}?${search}`, {
      headers: { authorization: bearer(TEST_ADMIN_TOKEN), 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(((await get.json()) as Answer['body']).data).toEqual(registered.body.data);
    expect(get.headers.get('cache-control')).toBe('no-store');

    // The answer follows the graph, not the registration: move the alias, ask by hash again.
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'serving', version: 1 });
    expect((await post(t.url, { variables, extensions: persisted(query) })).body.data.modelVersionByAlias.version).toBe(
      1,
    );
  });

  it('APQ: a hash that is not the text’s is refused and registers nothing', async () => {
    const query = `{ serverInfo { lastSequence } } # wrong-hash ${uniq('q')}`;
    const wrong = sha256(`${query} `);
    const refused = await post(t.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toMatch(/provided sha does not match query/);
    expect(codeOf(refused)).toBe('BAD_REQUEST');
    expect(refused.body.data).toBeUndefined();
    // Neither the wrong hash nor the right one was stored.
    expect(codeOf(await post(t.url, { extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } }))).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    expect(codeOf(await post(t.url, { extensions: persisted(query) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('a VIEWER sending a cached mutation, as text or by hash, is FORBIDDEN and creates nothing', async () => {
    const viewer = await viewerToken(t.url);
    const query = `mutation CreateForFastPath($input: CreateRegisteredModelInput!) { createRegisteredModel(input: $input) { name } }`;
    // The admin's request caches the document, its plan and the APQ registration.
    const first = uniq('fast-admin');
    const ok = await post(t.url, { query, variables: { input: { name: first } }, extensions: persisted(query) });
    expect(ok.body.data.createRegisteredModel.name).toBe(first);

    for (const body of [{ query }, { extensions: persisted(query) }]) {
      const name = uniq('fast-viewer');
      const r = await post(t.url, { ...body, variables: { input: { name } } }, as(viewer));
      expect(codeOf(r)).toBe('FORBIDDEN');
      expect(r.body.data?.createRegisteredModel ?? null).toBeNull();
      expect(
        (await gqlOk(t.url, 'query($n: String!) { registeredModel(name: $n) { name } }', { n: name })).registeredModel,
      ).toBeNull();
    }
    // The same document still works for whoever may run it.
    const again = uniq('fast-admin');
    expect(
      (await post(t.url, { variables: { input: { name: again } }, extensions: persisted(query) })).body.data
        .createRegisteredModel.name,
    ).toBe(again);
  });

  it('a cached query is held to the limits with each request’s variables, over HTTP and graphql-ws', async () => {
    const query = `query FastPathPages($models: Int, $versions: Int) {
      registeredModels(first: $models) { edges { node { name versions(first: $versions) { edges { node { version tags { key } } } } } } }
    }`;
    const send = (variables: Record<string, unknown>) =>
      post(t.url, { query, variables, extensions: persisted(query) });
    expect((await send({ models: 2, versions: 2 })).body.errors).toBeUndefined();
    // A page over 500: refused before execution, the document being cached changes nothing.
    const page = await send({ models: 501, versions: 2 });
    expect(page.status).toBe(400);
    expect(codeOf(page)).toBe('BAD_USER_INPUT');
    expect(page.body.data).toBeUndefined();
    // Pages within 500 whose product is over the cost limit: the cost is priced with these variables.
    const cost = await post(t.url, { variables: { models: 500, versions: 500 }, extensions: persisted(query) });
    expect(cost.status).toBe(400);
    expect(codeOf(cost)).toBe('LIMIT_EXCEEDED');
    expect(cost.body.errors?.[0]?.message).toMatch(/query cost is limited to 50000/);
    expect((await send({ models: 2, versions: 2 })).body.errors).toBeUndefined();

    expect((await overWs(t.url, query, { models: 2, versions: 2 })).errors).toBeUndefined();
    const wsPage = await overWs(t.url, query, { models: 501, versions: 2 });
    expect(wsPage[0].extensions.code).toBe('BAD_USER_INPUT');
    const wsCost = await overWs(t.url, query, { models: 500, versions: 500 });
    expect(wsCost[0].extensions.code).toBe('LIMIT_EXCEEDED');
    expect(
      (await overWs(t.url, query, { models: 2, versions: 2 })).data.registeredModels.edges.length,
    ).toBeLessThanOrEqual(2);
  });

  it('without a token a cached document is UNAUTHENTICATED: 401 before Apollo, or the policy’s refusal with anonymous reads on', async () => {
    const query = `{ serverInfo { lastSequence } } # anonymous ${uniq('q')}`;
    expect((await post(t.url, { query, extensions: persisted(query) })).body.errors).toBeUndefined();
    for (const body of [{ query }, { extensions: persisted(query) }]) {
      const r = await post(t.url, body, {});
      expect(r.status).toBe(401);
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
    }

    const mutation =
      'mutation AnonFastPath($input: CreateRegisteredModelInput!) { createRegisteredModel(input: $input) { name } }';
    const admin = uniq('fast-anon-admin');
    expect(
      (
        await post(anon.url, {
          query: mutation,
          variables: { input: { name: admin } },
          extensions: persisted(mutation),
        })
      ).body.data.createRegisteredModel.name,
    ).toBe(admin);
    for (const body of [{ query: mutation }, { extensions: persisted(mutation) }]) {
      const name = uniq('fast-anon');
      const r = await post(anon.url, { ...body, variables: { input: { name } } }, {});
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
      expect(
        (await gqlOk(anon.url, 'query($n: String!) { registeredModel(name: $n) { name } }', { n: name }))
          .registeredModel,
      ).toBeNull();
    }
    // A query by hash is what anonymous reads allow.
    expect(
      (await post(anon.url, { query, extensions: persisted(query) }, {})).body.data.serverInfo.lastSequence,
    ).toMatch(/^\d+$/);
  });

  it('a cached document still waits for its consistency token', async () => {
    const query = contractOp('GetModelVersionByAlias');
    const name = await createModel(anon.url);
    await createVersion(anon.url, name);
    const variables = { modelName: name, alias: 'latest' };
    expect(
      (await post(anon.url, { query, variables, extensions: persisted(query) })).body.data.modelVersionByAlias.version,
    ).toBe(1);
    const { lastSequence } = (await gqlOk(anon.url, '{ serverInfo { lastSequence } }')).serverInfo as {
      lastSequence: string;
    };
    const ahead = String(BigInt(lastSequence) + 1_000_000n);
    const r = await post(
      anon.url,
      { variables, extensions: persisted(query) },
      { authorization: bearer(TEST_ADMIN_TOKEN), 'pedigree-min-sequence': ahead },
    );
    expect(r.status).toBe(503);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', minSequence: ahead });
    expect(codeOf(await post(anon.url, { variables, extensions: { ...persisted(query), minSequence: 'abc' } }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('every cache stays at its bound: 50 distinct documents through a server that keeps 20', async () => {
    const texts = Array.from({ length: 50 }, (_, i) => `query Bound${i} { serverInfo { lastSequence } }`);
    for (const query of texts) {
      const r = await post(small.url, { query, extensions: persisted(query) });
      expect(r.body.errors).toBeUndefined();
      expect((await overWs(small.url, query, {})).errors).toBeUndefined();
    }
    const gauges = await cacheGauges(small.url);
    for (const cache of ['documents', 'persisted', 'ws_documents', 'plans']) {
      expect(gauges[cache]?.entries, cache).toBe(20);
      expect(gauges[cache]!.characters, cache).toBeGreaterThan(0);
      expect(gauges[cache]!.characters, cache).toBeLessThanOrEqual(2 * 1024 * 1024);
    }
    // Least recently used out first: the first registration is gone, the last answers by hash.
    expect(codeOf(await post(small.url, { extensions: persisted(texts[0]!) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(small.url, { extensions: persisted(texts[49]!) })).body.data.serverInfo.lastSequence).toMatch(
      /^\d+$/,
    );
    // An evicted document is simply parsed and checked again.
    expect((await post(small.url, { query: texts[0]! })).body.errors).toBeUndefined();
  });
});

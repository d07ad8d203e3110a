import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { bearer, code, gql, TEST_ADMIN_TOKEN, uniq, wsClient } from '../support/graphql.js';
import { graphDigest } from '../support/graph-digest.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CREATE =
  'mutation CreateApiToken($name: String!, $role: Role!) { createApiToken(name: $name, role: $role) { token principal { name role } } }';
const auth = { authorization: bearer(TEST_ADMIN_TOKEN) };

function overWs(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const client = wsClient(url);
  return new Promise<any>((resolve, reject) => {
    client.subscribe({ query, variables }, { next: resolve, error: reject, complete: () => undefined });
  }).finally(() => client.dispose());
}

function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('GraphQL hardening', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ PEDIGREE_MAX_DEPTH: '3', PEDIGREE_MAX_COST: '100' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('depth: over the limit is refused before execution (HTTP and ws); at the limit it runs', async () => {
    const deep = '{ apiTokens(first: 10) { principal { name } } viewer { name } }'; // depth 3
    expect((await gql(t.url, deep)).errors).toBeUndefined();
    const wide =
      '{ a: apiTokens(first: 10) { principal { name } } b: apiTokens(first: 10) { principal { ... on Principal { role } } } x: serverInfo { version } }';
    expect((await gql(t.url, wide)).errors).toBeUndefined(); // inline fragments add no depth
    const before = t.app.executor.statementCount;
    const srv = await startTestServer({ PEDIGREE_MAX_DEPTH: '2' });
    const started = srv.app.executor.statementCount;
    try {
      const r = await gql(srv.url, deep);
      expect(r.status).toBe(400);
      expect(code(r)).toBe('LIMIT_EXCEEDED');
      await expect(overWs(srv.url, deep)).rejects.toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED' }) }),
      ]);
      expect(srv.app.executor.statementCount).toBe(started);
    } finally {
      await srv.close();
    }
    expect(t.app.executor.statementCount).toBe(before);
  });

  it('aliases: 15 run, 16 are refused', async () => {
    const ops = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { name }`).join(' ')} }`;
    const srv = await startTestServer();
    try {
      expect((await gql(srv.url, ops(15))).errors).toBeUndefined();
      const r = await gql(srv.url, ops(16));
      expect(code(r)).toBe('LIMIT_EXCEEDED');
      await expect(overWs(srv.url, ops(16))).rejects.toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED' }) }),
      ]);
    } finally {
      await srv.close();
    }
  });

  it('cost: lists count by their expected size; over the limit is refused', async () => {
    // apiTokens(first: 10): 10 items × 3 fields + 1 = 31; without first, its default page of 100 alone is over
    expect(
      (
        await gql(
          t.url,
          '{ a: apiTokens(first: 10) { id principal { name } } b: apiTokens(first: 10) { id principal { name } } }',
        )
      ).errors,
    ).toBeUndefined();
    expect(code(await gql(t.url, '{ apiTokens { id } }'))).toBe('LIMIT_EXCEEDED');
    const r = await gql(
      t.url,
      `{ ${['a', 'b', 'c', 'd'].map((a) => `${a}: apiTokens(first: 10) { id principal { name } }`).join(' ')} }`,
    );
    expect(code(r)).toBe('LIMIT_EXCEEDED');
    expect(r.errors?.[0]?.message).toMatch(/cost is limited to 100/);
  });

  it('the standard introspection query works with introspection on, despite its depth', async () => {
    const srv = await startTestServer();
    try {
      const r = await gql(srv.url, getIntrospectionQuery());
      expect(r.errors).toBeUndefined();
      expect(r.data.__schema.queryType.name).toBe('Query');
      expect((await overWs(srv.url, getIntrospectionQuery())).errors).toBeUndefined();
      // ...but an introspection bomb past depth 20 is still refused
      let bomb = 'name';
      for (let i = 0; i < 20; i++) bomb = `ofType { ${bomb} }`;
      expect(code(await gql(srv.url, `{ __type(name: "Query") { fields { type { ${bomb} } } } }`))).toBe(
        'LIMIT_EXCEEDED',
      );
    } finally {
      await srv.close();
    }
  });

  it('with introspection off: introspection refused on both transports, no field suggestions', async () => {
    const srv = await startTestServer({ PEDIGREE_INTROSPECTION: 'false' });
    try {
      const r = await gql(srv.url, '{ __schema { types { name } } }');
      expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      await expect(overWs(srv.url, '{ __schema { types { name } } }')).rejects.toBeDefined();
      const typo = await gql(srv.url, '{ serverInf { version } }');
      expect(typo.errors?.[0]?.message).toBe('Cannot query field "serverInf" on type "Query".');
      expect(JSON.stringify(typo)).not.toMatch(/Did you mean/);
      const wsTypo = await overWs(srv.url, '{ serverInf { version } }').catch((e) => e);
      expect(JSON.stringify(wsTypo)).not.toMatch(/Did you mean/);
    } finally {
      await srv.close();
    }
  });

  it('batched HTTP requests are off', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify([{ query: '{ viewer { name } }' }, { query: '{ viewer { name } }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('body limit: a 10 000-prediction logPredictions batch fits; a larger body is 413', async () => {
    const predictions = Array.from({ length: 10_000 }, (_, i) => ({
      id: `req-${String(i).padStart(10, '0')}-${'a1b2c3d4e5f6a7b8'}`,
      at: '2026-11-23T15:38:25.266Z',
      inputRef: `s3://pedigree-inference-logs/fraud/2026/11/23/req-${String(i).padStart(10, '0')}.json`,
    }));
    const body = JSON.stringify({
      query:
        'mutation LogPredictions($input: LogPredictionsInput!) { logPredictions(input: $input) { count modelVersion { version } } }',
      variables: {
        input: {
          model: { modelName: 'fraud-detector', alias: 'production' },
          deployment: 'fraud-api-prod',
          predictions,
        },
      },
    });
    expect(Buffer.byteLength(body)).toBeLessThan(t.config.security.maxBodyBytes);
    expect(t.config.security.maxBodyBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    const ok = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });
    expect(ok.status).not.toBe(413);
    const big = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        query: '{ viewer { name } }',
        variables: { pad: 'x'.repeat(t.config.security.maxBodyBytes) },
      }),
    });
    expect(big.status).toBe(413);
  });

  it('websocket maxPayload: a larger message closes the socket (1009)', async () => {
    const closeCode = await new Promise<number>((resolve) => {
      const ws = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      ws.on('open', () =>
        ws.send(
          JSON.stringify({
            type: 'connection_init',
            payload: {
              authorization: bearer(TEST_ADMIN_TOKEN),
              pad: 'x'.repeat(t.config.security.wsMaxPayloadBytes + 1),
            },
          }),
        ),
      );
      ws.on('close', (c) => resolve(c));
      ws.on('error', () => undefined);
    });
    expect(closeCode).toBe(1009);
  });

  it('CSRF: a mutation as a simple GET or a text/plain POST is refused and writes nothing', async () => {
    const before = await graphDigest();
    const variables = JSON.stringify({ name: uniq('csrf'), role: 'ADMIN' });
    const get = await fetch(`${t.url}?query=${encodeURIComponent(CREATE)}&variables=${encodeURIComponent(variables)}`, {
      headers: auth,
    });
    expect(get.status).toBeGreaterThanOrEqual(400);
    const getPreflighted = await fetch(
      `${t.url}?query=${encodeURIComponent(CREATE)}&variables=${encodeURIComponent(variables)}`,
      {
        headers: { ...auth, 'apollo-require-preflight': 'true' },
      },
    );
    expect(getPreflighted.status).toBe(405); // mutations are never served over GET
    const text = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...auth },
      body: JSON.stringify({ query: CREATE, variables: JSON.parse(variables) }),
    });
    expect(text.status).toBe(400);
    expect(await text.text()).toMatch(/Cross-Site Request Forgery|CSRF/i);
    expect((await graphDigest()).hash).toBe(before.hash);
  });

  it('websocket upgrades check Host and Origin against the allowed lists', async () => {
    expect(await upgrade(t.url, {})).toBe(101);
    expect(await upgrade(t.url, { origin: 'http://localhost:3000' })).toBe(101);
    expect(await upgrade(t.url, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(t.url, { origin: 'null' })).toBe(403);
    expect(await upgrade(t.url, { host: 'evil.example' })).toBe(403);
    const srv = await startTestServer({
      PEDIGREE_ALLOWED_ORIGINS: 'https://app.example.com',
      PEDIGREE_ALLOWED_HOSTS: 'registry.example.com,127.0.0.1',
    });
    try {
      expect(await upgrade(srv.url, { origin: 'https://app.example.com' })).toBe(101);
      expect(await upgrade(srv.url, { origin: 'http://localhost:3000' })).toBe(403);
    } finally {
      await srv.close();
    }
  });

  it('internal errors are masked with a log id, no stack trace', async () => {
    const r = await gql(t.url, '{ viewer { name } serverInfo { version } }');
    expect(JSON.stringify(r)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it('string and list inputs are limited centrally: over the limit is BAD_USER_INPUT and writes nothing', async () => {
    const before = await graphDigest();
    const long = await gql(t.url, CREATE, { name: 'x'.repeat(5000), role: 'VIEWER' });
    expect(code(long)).toBe('BAD_USER_INPUT');
    expect(long.errors?.[0]?.message).toMatch(
      /Mutation.createApiToken argument name is limited to 4096 characters; got 5000/,
    );
    const nul = await gql(t.url, CREATE, { name: 'a\u0000b', role: 'VIEWER' });
    expect(code(nul)).toBe('BAD_USER_INPUT');
    expect(nul.errors?.[0]?.message).toMatch(/NUL/);
    expect((await graphDigest()).hash).toBe(before.hash);
  });

  it("keeps an idle keep-alive connection open past Node's 5 s default, so a reused socket does not hang up", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(
          t.url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', ...auth } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ query: '{ serverInfo { version } }' }));
      });
    try {
      expect(await post()).toEqual({ status: 200, reused: false });
      await new Promise((r) => setTimeout(r, 6_000));
      expect(await post()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);
});

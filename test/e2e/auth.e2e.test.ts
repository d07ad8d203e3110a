import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contractOp } from '../support/contract.js';
import { collect } from '../support/events.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { as, bearer, code, gql, gqlOk, NO_AUTH, uniq, wsClient } from '../support/graphql.js';
import { graphDigest } from '../support/graph-digest.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CREATE =
  'mutation CreateApiToken($name: String!, $role: Role!) { createApiToken(name: $name, role: $role) { token principal { name role } } }';
const REVOKE = 'mutation($ref: String!) { revokeApiToken(ref: $ref) }';
const ROLES = ['VIEWER', 'CONTRIBUTOR', 'REVIEWER', 'ADMIN'] as const;
type Role = (typeof ROLES)[number];

async function createToken(url: string, role: string, name = uniq(role.toLowerCase())): Promise<string> {
  const d = await gqlOk(url, CREATE, { name, role });
  return d.createApiToken.token as string;
}

const lastSequence = async (url: string): Promise<string> =>
  (await gqlOk(url, '{ serverInfo { lastSequence } }')).serverInfo.lastSequence;

/** Variables for a rollback that will succeed: alias `shadow` of a fresh model moved 1 → 2, back to 1. */
async function rollbackable(url: string): Promise<Record<string, unknown>> {
  const modelName = await createModel(url, uniq('roles'));
  await createVersion(url, modelName);
  await createVersion(url, modelName);
  for (const version of [1, 2])
    await gqlOk(url, contractOp('SetRegisteredModelAlias'), { modelName, alias: 'shadow', version });
  return { modelName, alias: 'shadow', version: 1, reason: 'role test' };
}

/** One operation over graphql-ws; resolves with the first result or rejects with the error/close. */
function overWs(
  url: string,
  query: string,
  params?: Record<string, unknown>,
  variables: Record<string, unknown> = {},
): Promise<any> {
  const client = wsClient(url, params);
  return new Promise<any>((resolve, reject) => {
    client.subscribe({ query, variables }, { next: resolve, error: reject, complete: () => undefined });
  }).finally(() => client.dispose());
}

/** Opens a raw websocket, sends `messages`, resolves with the close code and reason. */
function rawWs(
  url: string,
  messages: object[],
  headers: Record<string, string> = {},
): Promise<{ code: number; reason: string; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    ws.on('open', () => messages.forEach((m) => ws.send(JSON.stringify(m))));
    ws.on('close', (c, r) => resolve({ code: c, reason: r.toString() }));
    ws.on('unexpected-response', (_req, res) => resolve({ code: -1, reason: 'http', status: res.statusCode }));
    ws.on('error', () => undefined);
  });
}

describe('authentication', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses every GraphQL operation without a token (HTTP 401, UNAUTHENTICATED) and keeps /healthz and /readyz open', async () => {
    for (const q of ['{ __typename }', '{ serverInfo { version } }', '{ __schema { types { name } } }', CREATE]) {
      const r = await gql(t.url, q, { name: 'x', role: 'ADMIN' }, NO_AUTH);
      expect(r.status).toBe(401);
      expect(code(r)).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(r)).not.toMatch(/serverInfo|Did you mean/);
    }
    const base = t.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('refuses unknown, malformed and non-Bearer tokens', async () => {
    for (const authorization of [
      'Bearer pdg_nottherealtokennottherealtoken',
      'Bearer',
      'Basic YWRtaW46YWRtaW4=',
      "Bearer ' OR 1=1 --",
    ]) {
      const r = await gql(t.url, '{ serverInfo { version } }', {}, { authorization });
      expect(r.status, authorization).toBe(401);
      expect(code(r)).toBe('UNAUTHENTICATED');
    }
  });

  it('creates a token shown once and stored only as its SHA-256 hash; the token names its principal', async () => {
    const name = uniq('ci');
    const before = await graphDigest();
    const d = await gqlOk(t.url, CREATE, { name, role: 'CONTRIBUTOR' });
    expect(d.createApiToken.principal).toEqual({ name, role: 'CONTRIBUTOR' });
    const token: string = d.createApiToken.token;
    expect(token).toMatch(/^pdg_[A-Za-z0-9_-]{43}$/);
    const after = await graphDigest();
    expect(after.nodes).toBe(before.nodes + 3); // Principal, ApiToken, Event
    const session = t.app.executor.driver.session();
    try {
      const rows = await session.run(
        'MATCH (t:ApiToken)-[:FOR]->(p:Principal {name: $name}) RETURN t.hash AS hash, properties(t) AS props',
        { name },
      );
      expect(rows.records[0]!.get('hash')).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(rows.records[0]!.get('props'))).not.toContain(token);
      const leaked = await session.run(
        'MATCH (n) WHERE any(k IN keys(n) WHERE n[k] = $token OR (n[k] IS :: STRING AND n[k] CONTAINS $token)) RETURN count(n) AS c',
        { token },
      );
      expect(leaked.records[0]!.get('c').toNumber()).toBe(0);
      const ev = await session.run(
        "MATCH (e:Event {type: 'TOKEN_CREATED'}) WHERE e.after CONTAINS $name RETURN e.actor AS actor",
        { name },
      );
      expect(ev.records[0]!.get('actor')).toBe('admin');
    } finally {
      await session.close();
    }
    const me = await gqlOk(t.url, '{ viewer { name role } }', {}, as(token));
    expect(me.viewer).toEqual({ name, role: 'CONTRIBUTOR' });
    const listed = await gqlOk(t.url, '{ apiTokens { id principal { name } revokedAt } }');
    expect(listed.apiTokens.some((x: any) => x.principal.name === name && x.revokedAt === null)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(token);
  });

  it('a principal keeps one role: a second token with another role is CONFLICT', async () => {
    const name = uniq('svc');
    await createToken(t.url, 'VIEWER', name);
    await createToken(t.url, 'VIEWER', name);
    const before = await graphDigest();
    const r = await gql(t.url, CREATE, { name, role: 'ADMIN' });
    expect(code(r)).toBe('CONFLICT');
    expect((await graphDigest()).hash).toBe(before.hash);
  });

  it('every role × operation class over HTTP and websockets: allowed, or FORBIDDEN; a refused mutation changes nothing', async () => {
    const ops: {
      label: string;
      need: Role;
      query: string;
      variables?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
      writes?: boolean;
    }[] = [
      { label: 'query', need: 'VIEWER', query: '{ serverInfo { version } }' },
      {
        label: 'contributor mutation',
        need: 'CONTRIBUTOR',
        query: contractOp('CreateRegisteredModel'),
        variables: () => ({ input: { name: uniq('roles') } }),
        writes: true,
      },
      {
        label: 'reviewer mutation',
        need: 'REVIEWER',
        query: contractOp('Rollback'),
        variables: () => rollbackable(t.url),
        writes: true,
      },
      { label: 'admin query', need: 'ADMIN', query: '{ apiTokens { id } }' },
      {
        label: 'admin mutation',
        need: 'ADMIN',
        query: CREATE,
        variables: () => ({ name: uniq('m'), role: 'VIEWER' }),
        writes: true,
      },
    ];
    for (const role of ROLES) {
      const token = await createToken(t.url, role);
      for (const op of ops) {
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(op.need);
        for (const transport of ['http', 'ws'] as const) {
          const what = `${role} ${op.label} over ${transport}`;
          const variables = (await op.variables?.()) ?? {};
          const before = op.writes && !allowed ? await graphDigest() : null;
          const r =
            transport === 'http'
              ? await gql(t.url, op.query, variables, as(token))
              : await overWs(t.url, op.query, { authorization: bearer(token) }, variables);
          if (allowed) {
            expect(r.errors, what).toBeUndefined();
            continue;
          }
          expect(r.errors?.[0]?.extensions?.code, what).toBe('FORBIDDEN');
          if (before) expect((await graphDigest()).hash, `${what}: the refused mutation wrote`).toBe(before.hash);
        }
      }
    }
  }, 120_000);

  it('subscriptions: every role may subscribe over websockets, and both deliver the event', async () => {
    const model = await createModel(t.url, uniq('roles'));
    await createVersion(t.url, model);
    for (const role of ROLES) {
      const client = wsClient(t.url, { authorization: bearer(await createToken(t.url, role)) });
      try {
        const after = await lastSequence(t.url);
        const alias = uniq('live');
        const aliases = collect(
          client,
          contractOp('AliasChanged'),
          { modelName: model, alias, after },
          (d) => d.aliasChanged,
        );
        const events = collect(
          client,
          contractOp('RegistryEvents'),
          { after, types: ['ALIAS_SET'] },
          (d) => d.registryEvents,
        );
        const moved = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
          modelName: model,
          alias,
          version: 1,
        });
        const sequence = moved.setRegisteredModelAlias.sequence;
        expect((await aliases.until(1))[0], `${role} aliasChanged`).toMatchObject({
          sequence,
          modelName: model,
          alias,
          previousVersion: null,
          version: 1,
        });
        expect((await events.until(1))[0], `${role} registryEvents`).toMatchObject({
          sequence,
          type: 'ALIAS_SET',
          modelName: model,
          version: 1,
        });
      } finally {
        await client.dispose();
      }
    }
  });

  it('subscriptions without a valid token: no token closes with 4401, a bad or revoked one with 4403; revocation closes an open subscription', async () => {
    const model = await createModel(t.url, uniq('roles'));
    await createVersion(t.url, model);
    for (const op of ['AliasChanged', 'RegistryEvents']) {
      const vars = op === 'AliasChanged' ? { modelName: model } : {};
      await expect(overWs(t.url, contractOp(op), NO_AUTH, vars), op).rejects.toMatchObject({ code: 4401 });
      await expect(
        overWs(t.url, contractOp(op), { authorization: 'Bearer pdg_wrongwrongwrongwrongwrong' }, vars),
        op,
      ).rejects.toMatchObject({ code: 4403 });
    }
    const name = uniq('revoked-sub');
    const token = await createToken(t.url, 'VIEWER', name);
    const client = wsClient(t.url, { authorization: bearer(token) });
    try {
      const open = collect(
        client,
        contractOp('AliasChanged'),
        { modelName: model, after: await lastSequence(t.url) },
        (d) => d.aliasChanged,
      );
      await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: model, alias: uniq('live'), version: 1 });
      await open.until(1); // live
      await gqlOk(t.url, REVOKE, { ref: name });
      expect(await open.ended).toMatchObject({ code: 4403 });
    } finally {
      await client.dispose();
    }
    await expect(
      overWs(t.url, contractOp('AliasChanged'), { authorization: bearer(token) }, { modelName: model }),
    ).rejects.toMatchObject({ code: 4403 });
  });

  it('websockets: no token closes with 4401, a bad token with 4403, subscribing before connection_init with 4401', async () => {
    const query = '{ serverInfo { version } }';
    const sub = { id: '1', type: 'subscribe', payload: { query } };
    expect((await rawWs(t.url, [{ type: 'connection_init' }])).code).toBe(4401);
    expect(
      (
        await rawWs(t.url, [
          { type: 'connection_init', payload: { authorization: 'Bearer pdg_wrongwrongwrongwrongwrong' } },
        ])
      ).code,
    ).toBe(4403);
    expect((await rawWs(t.url, [sub])).code).toBe(4401);
    await expect(overWs(t.url, query, NO_AUTH)).rejects.toMatchObject({ code: 4401 });
    await expect(overWs(t.url, query, { authorization: 'Bearer pdg_wrongwrongwrongwrongwrong' })).rejects.toMatchObject(
      { code: 4403 },
    );
  });

  it('revocation: the token stops working at once in this process; an open websocket is closed with 4403', async () => {
    const name = uniq('revoked');
    const token = await createToken(t.url, 'VIEWER', name);
    expect((await gql(t.url, '{ viewer { name } }', {}, as(token))).errors).toBeUndefined();
    // An open, authenticated socket with a live subscription-like wait:
    const ws = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((res) => ws.on('close', (c) => res(c)));
    const acked = new Promise<void>((res) =>
      ws.on('message', (m) => JSON.parse(m.toString()).type === 'connection_ack' && res()),
    );
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    await acked;
    const revoked = await gqlOk(t.url, REVOKE, { ref: name });
    expect(revoked.revokeApiToken).toHaveLength(1);
    const r = await gql(t.url, '{ viewer { name } }', {}, as(token));
    expect(r.status).toBe(401);
    expect(await closed).toBe(4403);
    expect(code(await gql(t.url, REVOKE, { ref: name }))).toBe('NOT_FOUND');
  });

  it('revocation reaches other processes: a second server with no lookup cache refuses at once', async () => {
    const other = await startTestServer({ PEDIGREE_TOKEN_CACHE_MS: '0' });
    try {
      const token = await createToken(t.url, 'VIEWER');
      expect((await gql(other.url, '{ viewer { name } }', {}, as(token))).errors).toBeUndefined();
      const name = (await gqlOk(other.url, '{ viewer { name } }', {}, as(token))).viewer.name;
      await gqlOk(t.url, REVOKE, { ref: name });
      expect((await gql(other.url, '{ viewer { name } }', {}, as(token))).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('PEDIGREE_ANONYMOUS_READ=true opens queries, never mutations or subscriptions', async () => {
    const open = await startTestServer({ PEDIGREE_ANONYMOUS_READ: 'true' });
    try {
      expect(await gqlOk(open.url, '{ serverInfo { version } viewer { name } }', {}, NO_AUTH)).toMatchObject({
        viewer: null,
      });
      const before = await graphDigest();
      const m = await gql(open.url, CREATE, { name: uniq('anon'), role: 'ADMIN' }, NO_AUTH);
      expect(code(m)).toBe('UNAUTHENTICATED');
      expect((await graphDigest()).hash).toBe(before.hash);
      // An anonymous socket is accepted and may run queries; subscriptions and mutations over it are UNAUTHENTICATED.
      expect(await overWs(open.url, '{ serverInfo { version } }', NO_AUTH)).toMatchObject({ data: { serverInfo: {} } });
      for (const [op, vars] of [
        ['AliasChanged', { modelName: 'anything' }],
        ['RegistryEvents', {}],
      ] as const) {
        expect(code(await overWs(open.url, contractOp(op), NO_AUTH, vars)), op).toBe('UNAUTHENTICATED');
      }
      const beforeWs = await graphDigest();
      expect(code(await overWs(open.url, CREATE, NO_AUTH, { name: uniq('anon'), role: 'ADMIN' }))).toBe(
        'UNAUTHENTICATED',
      );
      expect(
        code(await overWs(open.url, contractOp('CreateRegisteredModel'), NO_AUTH, { input: { name: uniq('anon') } })),
      ).toBe('UNAUTHENTICATED');
      expect((await graphDigest()).hash, 'an anonymous mutation over the socket wrote').toBe(beforeWs.hash);
      // a bad token is still refused, even where anonymous reads are open
      expect(
        (
          await gql(
            open.url,
            '{ serverInfo { version } }',
            {},
            { authorization: 'Bearer pdg_wrongwrongwrongwrongwrong' },
          )
        ).status,
      ).toBe(401);
    } finally {
      await open.close();
    }
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent, ALIAS_EVENT_TYPES, EventType } from '../../src/events/event-log.js';
import { graphDigest } from '../support/graph-digest.js';
import { WebSocket } from 'ws';
import { bearer, gqlOk, TEST_ADMIN_TOKEN, uniq, wsClient } from '../support/graphql.js';
import { appendAliasMove, collect } from '../support/events.js';
import { startProcessServer, type ProcessServer } from '../support/process-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';

const ALIAS_CHANGED = /* GraphQL */ `
  subscription AliasChanged($modelName: String!, $alias: String, $after: String) {
    aliasChanged(modelName: $modelName, alias: $alias, after: $after) {
      sequence
      modelName
      alias
      previousVersion
      version
      at
      actor
    }
  }
`;

const REGISTRY_EVENTS = /* GraphQL */ `
  subscription RegistryEvents($after: String, $types: [String!]) {
    registryEvents(after: $after, types: $types) {
      sequence
      type
      at
      actor
      modelName
      version
    }
  }
`;

/** A graphql-transport-ws client on a bare socket, for tests about the text on the wire. */
async function rawSubscriber(httpUrl: string) {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const nexts: string[] = [];
  const waiters: (() => void)[] = [];
  let ack!: () => void;
  const acked = new Promise<void>((resolve) => (ack = resolve));
  socket.on('message', (data) => {
    const text = String(data);
    const type = (JSON.parse(text) as { type: string }).type;
    if (type === 'connection_ack') ack();
    if (type === 'next') nexts.push(text);
    if (type === 'error') nexts.push(text);
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: bearer(TEST_ADMIN_TOKEN) } }));
  return {
    acked: acked.then(() => new Promise((r) => setTimeout(r, 200))),
    subscribe: (id: string, query: string, variables: Record<string, unknown>) =>
      void acked.then(() => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }))),
    frames: async (n: number): Promise<string[]> => {
      const deadline = Date.now() + 20_000;
      while (nexts.length < n) {
        if (Date.now() > deadline)
          throw new Error(`timed out with ${nexts.length} of ${n} frames: ${nexts.join('\n')}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 500);
        });
      }
      return nexts.slice(0, n);
    },
    close: () => socket.close(),
  };
}

const lastSequence = async (url: string): Promise<string> =>
  (await gqlOk(url, '{ serverInfo { lastSequence } }')).serverInfo.lastSequence;
const bySeq = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

describe('events: subscriptions from the event log', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ PEDIGREE_EVENT_POLL_MS: '50' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('delivers 32 concurrent setRegisteredModelAlias moves to every subscriber exactly once, in sequence order', async () => {
    const model = await createModel(t.url);
    for (let v = 0; v < 4; v++) await createVersion(t.url, model);
    const start = await lastSequence(t.url);
    const clients = [wsClient(t.url), wsClient(t.url)];
    try {
      const aliases = collect(
        clients[0]!,
        contractOp('AliasChanged'),
        { modelName: model, after: start },
        (d) => d.aliasChanged,
      );
      const all = collect(
        clients[1]!,
        contractOp('RegistryEvents'),
        { after: start, types: ['ALIAS_SET'] },
        (d) => d.registryEvents,
      );
      const moves = await Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
            modelName: model,
            alias: `a${i % 8}`,
            version: (i % 4) + 1,
          }),
        ),
      );
      const expected = moves.map((m) => m.setRegisteredModelAlias.sequence as string).sort(bySeq);
      const got = await aliases.until(32);
      expect(got.map((e) => e.sequence)).toEqual(expected);
      // Each event says where its alias came from: replaying them in order rebuilds every alias.
      const current = new Map<string, number | null>();
      for (const e of got) {
        expect(e).toMatchObject({ modelName: model, actor: expect.any(String) });
        expect(e.previousVersion).toBe(current.get(e.alias) ?? null);
        current.set(e.alias, e.version);
      }
      const served = await gqlOk(t.url, contractOp('GetRegisteredModel'), { name: model });
      for (const a of served.registeredModel.aliases) expect(current.get(a.alias)).toBe(a.version.version);
      const mine = await waitFor(() => all.items.filter((e) => e.modelName === model), 32);
      expect(mine.map((e) => e.sequence)).toEqual(expected);
      // Nothing else arrives for this model's subscription: the next event is another model's.
      await appendAliasMove(t.app.executor, { modelName: uniq('other'), alias: 'production', from: null, to: 1 });
      const del = await gqlOk(t.url, contractOp('DeleteRegisteredModelAlias'), { modelName: model, alias: 'a0' });
      const after = await aliases.until(33);
      expect(after.slice(32).map((e) => e.sequence)).toEqual([del.deleteRegisteredModelAlias.sequence]);
      expect(after.at(-1)).toMatchObject({ alias: 'a0', previousVersion: current.get('a0'), version: null });
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  }, 180_000);

  it('filters by alias and reports deletion as version null', async () => {
    const model = uniq('m');
    const start = await lastSequence(t.url);
    const client = wsClient(t.url);
    try {
      const prod = collect(
        client,
        ALIAS_CHANGED,
        { modelName: model, alias: 'production', after: start },
        (d) => d.aliasChanged,
      );
      await appendAliasMove(t.app.executor, { modelName: model, alias: 'staging', from: null, to: 1 });
      await appendAliasMove(t.app.executor, { modelName: model, alias: 'production', from: null, to: 2 });
      await appendAliasMove(t.app.executor, { modelName: model, alias: 'production', from: 2, to: null });
      const got = await prod.until(2);
      expect(got.map(({ alias, previousVersion, version }) => ({ alias, previousVersion, version }))).toEqual([
        { alias: 'production', previousVersion: null, version: 2 },
        { alias: 'production', previousVersion: 2, version: null },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('resumes after a forced disconnect at a random point: the union is the log, with no duplicate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 23 }), async (cut) => {
        const model = uniq('m');
        const start = await lastSequence(t.url);
        const total = 24;
        const first = wsClient(t.url);
        const seen: string[] = [];
        const c1 = collect(first, ALIAS_CHANGED, { modelName: model, after: start }, (d) => d.aliasChanged.sequence);
        const writes = (async () => {
          for (let i = 0; i < total; i++)
            await appendAliasMove(t.app.executor, { modelName: model, alias: 'a', from: i || null, to: i + 1 });
        })();
        seen.push(...(await c1.until(cut)));
        first.terminate(); // the socket drops without a goodbye
        const resumeFrom = seen.at(-1)!;
        const second = wsClient(t.url);
        try {
          const c2 = collect(
            second,
            ALIAS_CHANGED,
            { modelName: model, after: resumeFrom },
            (d) => d.aliasChanged.sequence,
          );
          await writes;
          seen.push(...(await c2.until(total - seen.length)));
          const log = (await t.app.services.events.read(start, 'ADMIN', { modelName: model })).map((e) => e.sequence);
          expect(log).toHaveLength(total);
          expect(seen).toEqual(log);
        } finally {
          await second.dispose();
          await first.dispose();
        }
      }),
      { numRuns: 3 },
    );
  });

  it('publishes nothing for a write that fails after appending its event', async () => {
    const model = uniq('m');
    const start = await lastSequence(t.url);
    const client = wsClient(t.url);
    try {
      const sub = collect(client, ALIAS_CHANGED, { modelName: model, after: start }, (d) => d.aliasChanged);
      const before = await graphDigest();
      await expect(
        t.app.executor.writeTx(async (tx) => {
          await appendEvent(tx, {
            type: EventType.ALIAS_SET,
            actor: 'test',
            modelName: model,
            alias: 'doomed',
            version: 1,
            after: { version: 1 },
          });
          throw new Error('the rule refused it after the event was appended');
        }, 'test:failing-write'),
      ).rejects.toThrow(/refused/);
      expect(await graphDigest()).toEqual(before);
      const good = await appendAliasMove(t.app.executor, { modelName: model, alias: 'kept', from: null, to: 1 });
      const got = await sub.until(1);
      expect(got.map((e) => [e.sequence, e.alias])).toEqual([[good, 'kept']]);
      expect((await t.app.services.events.read(start, 'ADMIN', { modelName: model })).map((e) => e.alias)).toEqual([
        'kept',
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('executes a shared subscription once per event for all the sockets that share it', async () => {
    const model = uniq('m');
    const start = await lastSequence(t.url);
    const clients = Array.from({ length: 6 }, () => wsClient(t.url));
    try {
      const subs = clients.map((c) =>
        collect(c, ALIAS_CHANGED, { modelName: model, after: start }, (d) => d.aliasChanged),
      );
      const executionsBefore = t.server.http.ws.shared.executions;
      for (let i = 0; i < 5; i++)
        await appendAliasMove(t.app.executor, { modelName: model, alias: 'a', from: i || null, to: i + 1 });
      const results = await Promise.all(subs.map((s) => s.until(5)));
      for (const r of results) expect(r).toEqual(results[0]);
      expect(t.server.http.ws.shared.executions - executionsBefore).toBe(5);
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });

  it('serialises a shared result once and writes the same payload text to every socket, each under its own id', async () => {
    const model = uniq('m');
    const start = await lastSequence(t.url);
    // Raw sockets, so the test sees the text on the wire. Ids are the client's
    // choice: quotes, backslashes and a would-be token must come back intact.
    const ids = ['1', 'a"b\\c', `pedigree-shared-payload:${'0'.repeat(32)}:0`, '\u2067rtl'];
    const sockets = await Promise.all(ids.map(() => rawSubscriber(t.url)));
    try {
      sockets.forEach((s, i) => s.subscribe(ids[i]!, ALIAS_CHANGED, { modelName: model, after: start }));
      await Promise.all(sockets.map((s) => s.acked));
      const before = {
        executions: t.server.http.ws.shared.executions,
        serialisations: t.server.http.ws.shared.serialisations,
      };
      for (let i = 0; i < 3; i++)
        await appendAliasMove(t.app.executor, { modelName: model, alias: 'a', from: i || null, to: i + 1 });
      const frames = await Promise.all(sockets.map((s) => s.frames(3)));
      expect(t.server.http.ws.shared.executions - before.executions).toBe(3);
      expect(t.server.http.ws.shared.serialisations - before.serialisations).toBe(3);
      // The payload text of each move, as socket 0 (id "1") received it.
      const envelope = (id: string) => `{"id":${JSON.stringify(id)},"type":"next","payload":`;
      const payloads = frames[0]!.map((text) => {
        expect(text.startsWith(envelope('1')) && text.endsWith('}')).toBe(true);
        return text.slice(envelope('1').length, -1);
      });
      for (let i = 0; i < ids.length; i++) {
        // Every socket gets byte-identical payload text under its own id.
        expect(frames[i]).toEqual(payloads.map((p) => `${envelope(ids[i]!)}${p}}`));
        for (const text of frames[i]!) {
          expect(JSON.parse(text)).toMatchObject({
            id: ids[i],
            type: 'next',
            payload: { data: { aliasChanged: { modelName: model } } },
          });
        }
      }
      expect(
        frames[0]!.map(
          (f) =>
            (JSON.parse(f) as { payload: { data: { aliasChanged: { version: number } } } }).payload.data.aliasChanged
              .version,
        ),
      ).toEqual([1, 2, 3]);
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('refuses an after that is not a sequence with BAD_USER_INPUT', async () => {
    const client = wsClient(t.url);
    try {
      const sub = collect(client, ALIAS_CHANGED, { modelName: 'x', after: 'yesterday' }, (d) => d);
      const err = (await sub.until(1).catch((e) => e)) as { extensions?: { code?: string } }[];
      expect(err[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await client.dispose();
    }
  });

  it('only alias event types feed aliasChanged', () => {
    expect(ALIAS_EVENT_TYPES).toEqual(['ALIAS_SET', 'ALIAS_DELETED', 'ROLLBACK']);
  });
});

describe('events: across replicas', () => {
  let a: TestServer;
  let b: ProcessServer;
  beforeAll(async () => {
    a = await startTestServer({ PEDIGREE_EVENT_POLL_MS: '50' });
    b = await startProcessServer({ PEDIGREE_EVENT_POLL_MS: '50' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('an event written through process A reaches a subscriber on process B', async () => {
    expect(b.pid).not.toBe(process.pid);
    const model = uniq('m');
    const start = await lastSequence(b.url);
    const client = wsClient(b.url);
    try {
      const sub = collect(client, ALIAS_CHANGED, { modelName: model, after: start }, (d) => d.aliasChanged);
      const sequences: string[] = [];
      await createModel(a.url, model);
      for (let i = 0; i < 5; i++) {
        await createVersion(a.url, model);
        const moved = await gqlOk(a.url, contractOp('SetRegisteredModelAlias'), {
          modelName: model,
          alias: 'blue',
          version: i + 1,
        });
        sequences.push(moved.setRegisteredModelAlias.sequence);
      }
      const got = await sub.until(5);
      expect(got.map((e) => e.sequence)).toEqual(sequences);
    } finally {
      await client.dispose();
    }
  });
});

describe('events: the sequence point under 32 concurrent writers on two processes', () => {
  let a: TestServer;
  let b: ProcessServer;
  beforeAll(async () => {
    a = await startTestServer({ PEDIGREE_EVENT_POLL_MS: '50' });
    b = await startProcessServer({ PEDIGREE_EVENT_POLL_MS: '50' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("subscribers on both processes, live and resumed from any sequence, see one gap-free, duplicate-free log in sequence order, and every write's event in it once", async () => {
    const WRITERS = 32;
    const ROUNDS = 6;
    const model = uniq('seqpt');
    await createModel(a.url, model);
    const start = await lastSequence(a.url);
    const clients = [wsClient(a.url), wsClient(b.url)];
    try {
      const live = clients.map((c) =>
        collect(
          c,
          REGISTRY_EVENTS,
          { after: start },
          (d) =>
            d.registryEvents as { sequence: string; type: string; modelName: string | null; version: number | null },
        ),
      );
      // 16 writers on each process, each registering versions of the shared
      // model (batched groups, numbered under its lock) and moving its own alias.
      const writes = await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          const url = w % 2 === 0 ? a.url : b.url;
          const mine: { sequence?: string; version: number }[] = [];
          for (let r = 0; r < ROUNDS; r++) {
            const v = await createVersion(url, model);
            const moved = await gqlOk(url, contractOp('SetRegisteredModelAlias'), {
              modelName: model,
              alias: `w${w}`,
              version: v.version,
            });
            mine.push({ version: v.version }, { sequence: moved.setRegisteredModelAlias.sequence, version: v.version });
          }
          return mine;
        }),
      );
      const total = WRITERS * ROUNDS * 2;
      const head = await lastSequence(b.url);
      expect(BigInt(head) - BigInt(start)).toBe(BigInt(total));
      const [onA, onB] = await Promise.all(live.map((l) => l.until(total)));
      const expected = Array.from({ length: total }, (_, i) => String(BigInt(start) + BigInt(i + 1)));
      expect(onA!.map((e) => e.sequence)).toEqual(expected);
      expect(onB).toEqual(onA);
      // Every registration numbered once, 1..N, and each returned alias sequence is its event's.
      const created = onA!.filter((e) => e.type === 'VERSION_CREATED').map((e) => e.version!);
      expect([...created].sort((x, y) => x - y)).toEqual(Array.from({ length: WRITERS * ROUNDS }, (_, i) => i + 1));
      const aliasSeqs = new Set(onA!.filter((e) => e.type === 'ALIAS_SET').map((e) => e.sequence));
      expect(
        writes
          .flat()
          .filter((x) => x.sequence)
          .every((x) => aliasSeqs.has(x.sequence!)),
      ).toBe(true);
      // Resumed from sequences inside the burst, on either process: exactly the rest.
      for (const [i, from] of [
        [0, 1],
        [1, Math.floor(total / 3)],
        [0, total - 5],
      ] as const) {
        const after = expected[from - 1]!;
        const resumed = collect(clients[i]!, REGISTRY_EVENTS, { after }, (d) => d.registryEvents.sequence as string);
        expect(await resumed.until(total - from)).toEqual(expected.slice(from));
      }
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  }, 240_000);
});

async function waitFor<T>(get: () => T[], n: number): Promise<T[]> {
  for (;;) {
    const items = get();
    if (items.length >= n) return items;
    await new Promise((r) => setTimeout(r, 20));
  }
}

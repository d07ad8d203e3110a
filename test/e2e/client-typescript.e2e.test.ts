import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  existsSync,
  mkdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ChecksumMismatchError,
  PedigreeClient,
  PedigreeError,
  SpoolFullError,
  type AliasChange,
  type PedigreeClientOptions,
} from '../../clients/typescript/src/index.js';
import {
  aliasMoves,
  deleteSuitePredictions,
  modelWithVersions,
  moveAlias as moveAliasOn,
  predictionsByVersion,
  predictionsCreated,
  putArtifact,
  registerVersion,
  sha256,
  untraceable,
} from '../support/client-fixtures.js';
import { readmeExample, runExample } from '../support/client-example.js';
import { RestartableServer } from '../support/client-harness.js';
import { gqlOk, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The TypeScript client (clients/typescript) against real Pedigree servers:
 * `served` is a server process behind a fault-injecting proxy (the client's
 * address; restartable), `writer` an in-process server on the same Neo4j and
 * artifact store that the test writes through while `served` is down or cut off.
 */
let served: RestartableServer;
let writer: TestServer;
let dataDir: string;
let work: string;
const clients: PedigreeClient[] = [];

/** Moves an alias through `writer`, then waits until `served` has applied the move (see RestartableServer.applied). */
async function moveAlias(writerUrl: string, modelName: string, alias: string, version: number): Promise<string> {
  const sequence = await moveAliasOn(writerUrl, modelName, alias, version);
  await served.applied(sequence);
  return sequence;
}

/** A client for the served server with test-friendly timings (fast heartbeat and backoff). */
function client(extra: PedigreeClientOptions = {}): PedigreeClient {
  const c = new PedigreeClient({
    url: served.url,
    token: TEST_ADMIN_TOKEN,
    webSocketImpl: WebSocket,
    heartbeat: { intervalMs: 500, timeoutMs: 1_000 },
    connectTimeoutMs: 3_000,
    backoff: { baseMs: 50, maxMs: 1_000 },
    ...extra,
  });
  clients.push(c);
  return c;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Watches NAME@serving (recording into `seen` unless `handler` does) and waits for the CURRENT state. */
async function startWatch(
  c: PedigreeClient,
  name: string,
  seen: AliasChange[],
  handler?: (change: AliasChange) => Promise<void>,
  opts: { maxQueued?: number } = {},
) {
  const w = c.watch(name, 'serving', handler ?? ((change) => void seen.push(change)), opts);
  await w.ready;
  await until('the current state', () => seen.length === 1);
  return w;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pedigree-client-ts-'));
  work = mkdtempSync(join(tmpdir(), 'pedigree-client-ts-work-'));
  served = await RestartableServer.start({ PEDIGREE_DATA_DIR: dataDir });
  writer = await startTestServer({ PEDIGREE_DATA_DIR: dataDir });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await deleteSuitePredictions(['ts-']);
  await writer?.close();
  await served?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('resolve', () => {
  it('resolves alias, version and stage URIs to version, source and checksum; unknown ones to null', async () => {
    const name = await modelWithVersions(writer.url.replace(/\/graphql$/, ''), 2, 'ts-resolve');
    await moveAlias(writer.url, name, 'serving', 2);
    const c = client();
    const byAlias = await c.resolve(`models:/${name}@serving`);
    expect(byAlias).toMatchObject({
      modelName: name,
      version: 2,
      source: `mlflow-artifacts:/clients/${name}/v2/model.bin`,
      checksum: sha256(`weights of ${name} v2\n`),
    });
    expect((await c.resolve(`models:/${name}/1`))?.version).toBe(1);
    expect((await c.resolve(`models:/${name}/development`))?.version).toBe(2);
    expect(await c.resolve(`models:/${name}@nowhere`)).toBeNull();
    expect(await c.resolve(`models:/${name}/99`)).toBeNull();
    const bad = await c.resolve('s3://not-a-model-uri').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PedigreeError);
    expect((bad as PedigreeError).code).toBe('BAD_USER_INPUT');
  });

  it('answers an alias from the subscription-fed cache, follows moves without asking the server, and falls back to the server while the socket is down', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 3, 'ts-cache');
    await moveAlias(writer.url, name, 'serving', 1);
    const c = client();
    const uri = `models:/${name}@serving`;
    expect((await c.resolve(uri))?.version).toBe(1);
    // Warm: the cache follows the alias once its subscription is up.
    await until('the cache to answer', async () => {
      const before = c.resolveApiCalls;
      await c.resolve(uri);
      return c.resolveApiCalls === before;
    });
    const calls = c.resolveApiCalls;
    await moveAlias(writer.url, name, 'serving', 3);
    await until('the cache to see the move', async () => (await c.resolve(uri))?.version === 3);
    expect(c.resolveApiCalls).toBe(calls);

    // Socket down: answers come from the server, and are still right.
    served.proxy.killConnections();
    await moveAlias(writer.url, name, 'serving', 2);
    const during = c.resolveApiCalls;
    expect((await c.resolve(uri))?.version).toBe(2);
    expect(c.resolveApiCalls).toBe(during + 1);
    // Reconnected and confirmed by a server read: the cache answers again.
    await until('the cache to answer again', async () => {
      const before = c.resolveApiCalls;
      const v = await c.resolve(uri);
      return v?.version === 2 && c.resolveApiCalls === before;
    });
  });

  it("remembers its own write's sequence, sends it as Pedigree-Min-Sequence on reads, and does not answer from a cache that has not seen it", async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 2, 'ts-consistency');
    await moveAlias(writer.url, name, 'serving', 1);
    const sent: (string | null)[] = [];
    // HTTP goes straight to the server; only the websocket passes the proxy, so the test can hold back the alias's
    // events.
    const direct = served.directUrl.replace(/\/graphql$/, '');
    const c = client({
      fetch: (input, init) => {
        const url = String(input).replace(served.url, direct);
        if (url.endsWith('/graphql') && String(init?.body).includes('PedigreeResolve'))
          sent.push(new Headers(init?.headers).get('pedigree-min-sequence'));
        return fetch(url, init);
      },
    });
    const uri = `models:/${name}@serving`;
    await c.resolve(uri);
    expect(sent).toEqual([null]);
    expect(c.lastWriteSequence).toBeNull();
    await until('the cache to answer', async () => {
      const n = sent.length;
      await c.resolve(uri);
      return sent.length === n;
    });
    // The socket stays open but passes nothing: the cache cannot see the write that follows.
    served.proxy.setBlackhole(true);
    try {
      const moved = await c.request<{ setRegisteredModelAlias: { sequence: string } }>(
        'mutation($m: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: "serving", version: $v) { sequence } }',
        { m: name, v: 2 },
      );
      expect(c.lastWriteSequence).toBe(moved.setRegisteredModelAlias.sequence);
      const calls = c.resolveApiCalls;
      expect((await c.resolve(uri))?.version).toBe(2);
      expect(c.resolveApiCalls).toBe(calls + 1);
      expect(sent.at(-1)).toBe(moved.setRegisteredModelAlias.sequence);
    } finally {
      served.proxy.setBlackhole(false);
      served.proxy.killConnections();
    }
  });
});

describe('watch', () => {
  it('delivers exactly the 200 moves, in order, while the websocket is killed 5 times', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 4, 'ts-watch');
    await moveAlias(writer.url, name, 'serving', 1);
    const c = client();
    const seen: AliasChange[] = [];
    const w = await startWatch(c, name, seen);
    expect(seen[0]).toMatchObject({ type: 'CURRENT', version: 1, previousVersion: null });
    const killedBefore = served.proxy.killed;
    let kills = 0;
    for (let i = 0; i < 200; i++) {
      await moveAlias(writer.url, name, 'serving', ((i + 1) % 4) + 1);
      if (i % 40 === 20) {
        served.proxy.killConnections();
        kills++;
      }
    }
    expect(kills).toBe(5);
    const truth = (await aliasMoves(writer.url, name, 'serving')).slice(1);
    expect(truth).toHaveLength(200);
    await until('all 200 moves', () => seen.length >= 201, 60_000);
    await sleep(500);
    const moves = seen.slice(1).map((m) => [m.sequence, m.previousVersion, m.version]);
    expect(moves).toEqual(truth);
    expect(served.proxy.killed - killedBefore).toBeGreaterThanOrEqual(5);
    expect(w.lastSequence).toBe(truth.at(-1)![0]);
    await w.close();
  });

  it('delivers exactly the moves made while its server restarts (through another server), in order', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 3, 'ts-watch-restart');
    await moveAlias(writer.url, name, 'serving', 1);
    const c = client();
    const seen: AliasChange[] = [];
    const w = await startWatch(c, name, seen);
    const mover = (async () => {
      for (let i = 0; i < 60; i++) {
        await moveAlias(writer.url, name, 'serving', ((i + 1) % 3) + 1);
        await sleep(20);
      }
    })();
    await sleep(200);
    await served.restart('term');
    await mover;
    const truth = (await aliasMoves(writer.url, name, 'serving')).slice(1);
    await until('all moves', () => seen.length >= truth.length + 1, 60_000);
    await sleep(300);
    expect(seen.slice(1).map((m) => [m.sequence, m.previousVersion, m.version])).toEqual(truth);
    await w.close();
  });

  it('a slow handler delays moves but loses none: past maxQueued the subscription pauses and resumes from the log', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 2, 'ts-watch-slow');
    await moveAlias(writer.url, name, 'serving', 1);
    const c = client();
    const seen: AliasChange[] = [];
    let maxPending = 0;
    const slow = async (change: AliasChange) => {
      seen.push(change);
      await sleep(30);
    };
    const w = await startWatch(c, name, seen, slow, { maxQueued: 4 });
    for (let i = 0; i < 30; i++) {
      await moveAlias(writer.url, name, 'serving', i % 2 === 0 ? 2 : 1);
      maxPending = Math.max(maxPending, w.pending);
    }
    const truth = (await aliasMoves(writer.url, name, 'serving')).slice(1);
    await until('all moves', () => seen.length >= 31, 30_000);
    expect(seen.slice(1).map((m) => [m.sequence, m.previousVersion, m.version])).toEqual(truth);
    expect(maxPending).toBeLessThanOrEqual(4);
    await w.close();
  });

  it('notices a dead socket by its heartbeat (no close, no bytes) and resumes', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 2, 'ts-watch-dead');
    await moveAlias(writer.url, name, 'serving', 1);
    const c = client();
    const seen: AliasChange[] = [];
    const w = await startWatch(c, name, seen);
    await until('the subscription', () => w.subscribed);
    const accepted = served.proxy.accepted;
    served.proxy.setBlackhole(true);
    await moveAlias(writer.url, name, 'serving', 2);
    // The heartbeat (500 ms ping, 1 s timeout) declares the socket dead and opens another.
    await until('a new connection', () => served.proxy.accepted > accepted, 10_000);
    served.proxy.setBlackhole(false);
    served.proxy.killConnections();
    await until('the move', () => seen.length === 2, 20_000);
    expect(seen[1]).toMatchObject({ previousVersion: 1, version: 2 });
    await w.close();
  });

  it('resumes from a saved sequence with after: (no CURRENT), and a bad token ends the watch with a typed error', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 2, 'ts-watch-after');
    const first = await moveAlias(writer.url, name, 'serving', 1);
    const second = await moveAlias(writer.url, name, 'serving', 2);
    const c = client();
    const seen: AliasChange[] = [];
    const w = c.watch(name, 'serving', (change) => void seen.push(change), { after: first });
    await until('the replayed move', () => seen.length === 1);
    expect(seen[0]).toMatchObject({ sequence: second, previousVersion: 1, version: 2, type: 'ALIAS_SET' });
    await w.close();

    const token = `pdg_${randomBytes(32).toString('base64url')}`;
    const logs: string[] = [];
    const capture = (m: string, f?: Record<string, unknown>) => void logs.push(`${m} ${JSON.stringify(f ?? {})}`);
    const bad = client({ token, logger: { debug: capture, info: capture, warn: capture, error: capture } });
    const errors: unknown[] = [];
    const refused = bad.watch(name, 'serving', () => undefined, { after: first, onError: (e) => void errors.push(e) });
    const err = await refused.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PedigreeError);
    expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain((err as PedigreeError).code);
    expect(errors).toHaveLength(1);
    const viaHttp = await bad.resolve(`models:/${name}/1`).catch((e: unknown) => e);
    expect((viaHttp as PedigreeError).code).toBe('UNAUTHENTICATED');
    expect((viaHttp as PedigreeError).status).toBe(401);
    // No secret anywhere the client speaks.
    for (const text of [
      ...logs,
      String(err),
      String(viaHttp),
      inspect(bad),
      JSON.stringify(bad),
      inspect(err, { depth: 5 }),
    ]) {
      expect(text).not.toContain(token);
    }
  });
});

describe('download', () => {
  it('downloads and verifies a good artifact; refuses a tampered one with CHECKSUM_MISMATCH and leaves no file; records a deployment only after verifying', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = uniq('ts-download');
    const good = randomBytes(300_000);
    const goodSource = await putArtifact(base, `clients/${name}/good/model.bin`, good);
    await registerVersion(writer.url, name, goodSource, sha256(good));
    // Version 2 is registered with its true checksum; then its stored file is changed on disk, behind Pedigree's back.
    const stored = randomBytes(300_000);
    const tamperedSource = await putArtifact(base, `clients/${name}/tampered/model.bin`, stored);
    await registerVersion(writer.url, name, tamperedSource, sha256(stored));
    const onDisk = join(dataDir, 'artifacts', 'clients', name, 'tampered', 'model.bin');
    writeFileSync(
      onDisk,
      Buffer.concat([stored.subarray(0, 1000), Buffer.from([stored[1000]! ^ 1]), stored.subarray(1001)]),
    );
    const c = client();

    const dir = join(work, name, 'v1');
    const ok = await c.download(`models:/${name}/1`, dir, { deployment: { name: `${name}-api`, environment: 'test' } });
    expect(ok).toMatchObject({ dir, files: ['model.bin'], checksum: sha256(good), reused: false });
    expect(readFileSync(join(dir, 'model.bin')).equals(good)).toBe(true);
    const dep = await gqlOk(
      writer.url,
      'query($n: String!) { deployment(name: $n) { serving { checksum modelVersion { version } } } }',
      { n: `${name}-api` },
    );
    expect(dep.deployment.serving).toEqual([{ checksum: sha256(good), modelVersion: { version: 1 } }]);
    // Downloading again into the same directory verifies what is there and fetches nothing.
    expect((await c.download(`models:/${name}/1`, dir)).reused).toBe(true);

    const badDir = join(work, name, 'v2');
    const err = await c
      .download(`models:/${name}/2`, badDir, { deployment: { name: `${name}-bad`, environment: 'test' } })
      .catch((e: unknown) => e);
    // Pedigree verifies what it serves, so the changed bytes never leave the server: the client says so.
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as ChecksumMismatchError).code).toBe('CHECKSUM_MISMATCH');
    expect((err as ChecksumMismatchError).expected).toBe(sha256(stored));
    expect((err as ChecksumMismatchError).actual).toBeNull();
    expect((err as ChecksumMismatchError).message).toMatch(/does not match its seal/);
    expect(existsSync(badDir)).toBe(false);
    expect(readdirSync(dirname(badDir)).sort()).toEqual(['v1']);
    const none = await gqlOk(writer.url, 'query($n: String!) { deployment(name: $n) { id } }', { n: `${name}-bad` });
    expect(none.deployment).toBeNull();
  });

  it('verifies a directory artifact by its manifest digest, and refuses to mix into a directory holding other files', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = uniq('ts-download-dir');
    const files: Record<string, Buffer> = {
      MLmodel: Buffer.from('flavors: {}\n'),
      'data/weights.bin': randomBytes(50_000),
      'data/vocab.txt': Buffer.from('a\nb\n'),
    };
    for (const [p, b] of Object.entries(files)) await putArtifact(base, `clients/${name}/model/${p}`, b);
    const { manifestDigest } = await import('../../src/artifacts/artifact-store.js');
    const digest = manifestDigest(Object.entries(files).map(([path, b]) => ({ path, sha256: sha256(b).slice(7) })));
    await registerVersion(writer.url, name, `mlflow-artifacts:/clients/${name}/model`, digest);
    const c = client();
    const dir = join(work, name);
    const r = await c.download(`models:/${name}/1`, dir);
    expect(r.files).toEqual(['MLmodel', 'data/vocab.txt', 'data/weights.bin']);
    expect(r.checksum).toBe(digest);
    expect(readFileSync(join(dir, 'data/weights.bin')).equals(files['data/weights.bin']!)).toBe(true);

    const other = join(work, `${name}-other`);
    mkdirSync(other);
    writeFileSync(join(other, 'mine.txt'), 'not a model');
    const err = await c.download(`models:/${name}/1`, other).catch((e: unknown) => e);
    expect((err as PedigreeError).code).toBe('CONFLICT');
    expect(readdirSync(other)).toEqual(['mine.txt']);
    const replaced = await c.download(`models:/${name}/1`, other, { overwrite: true });
    expect(replaced.files).toHaveLength(3);
    expect(existsSync(join(other, 'mine.txt'))).toBe(false);
  });

  it("fetches other schemes through the user's hook, verifies them the same way, and leaves nothing from a stream that breaks", async () => {
    const name = uniq('ts-download-hook');
    const good = randomBytes(100_000);
    let mode: 'good' | 'tampered' | 'broken' = 'good';
    const origin: Server = createServer((req, res) => {
      if (mode === 'broken') {
        res.writeHead(200, { 'content-length': String(good.length) });
        res.write(good.subarray(0, 40_000));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(mode === 'good' ? good : Buffer.concat([good.subarray(0, 99_999), Buffer.from('!')]));
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    const port = (origin.address() as { port: number }).port;
    try {
      await registerVersion(writer.url, name, `https://models.example.com/${name}/model.onnx`, sha256(good));
      const c = client({
        fetchers: {
          https: async (uri) => {
            const res = await fetch(`http://127.0.0.1:${port}${new URL(uri).pathname}`);
            return res.body!;
          },
        },
      });
      const dir = join(work, name);
      const r = await c.download(`models:/${name}/1`, dir);
      expect(r.files).toEqual(['model.onnx']);
      expect(readFileSync(join(dir, 'model.onnx')).equals(good)).toBe(true);

      for (const m of ['tampered', 'broken'] as const) {
        mode = m;
        const target = join(work, `${name}-${m}`);
        const err = await c.download(`models:/${name}/1`, target).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PedigreeError);
        expect((err as PedigreeError).code).toBe(m === 'tampered' ? 'CHECKSUM_MISMATCH' : 'NETWORK_ERROR');
        expect(existsSync(target)).toBe(false);
        expect(readdirSync(work).filter((f) => f.startsWith(`${name}-${m}`))).toEqual([]);
      }
      const noHook = await client()
        .download(`models:/${name}/1`, join(work, `${name}-nohook`))
        .catch((e: unknown) => e);
      expect((noHook as PedigreeError).code).toBe('UNSUPPORTED_SOURCE');
    } finally {
      origin.close();
    }
  });
});

describe('PredictionLogger', () => {
  it('50,000 predictions with two server restarts in the middle: every one traceable through GraphQL, none duplicated', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 2, 'ts-logger');
    const c = client();
    const logger = c.predictionLogger({
      batchSize: 1_000,
      flushIntervalMs: 100,
      maxPending: 60_000,
      backoff: { baseMs: 50, maxMs: 1_000 },
    });
    const run = uniq('p');
    const ids = Array.from({ length: 50_000 }, (_, i) => `${run}-${i}`);
    let loggedDuringRestarts = 0;
    const restarts = (async () => {
      await until('a fifth of them sent', () => logger.stats().sent >= 10_000, 120_000);
      const before = logger.stats().sent + logger.stats().pending;
      await served.restart('term');
      await until('half of them sent', () => logger.stats().sent >= 25_000, 120_000);
      // A crash: requests in flight die with the process, their transactions committed or not.
      await served.restart('kill');
      loggedDuringRestarts = logger.stats().sent + logger.stats().pending - before;
    })();
    for (let i = 0; i < ids.length; i++) {
      logger.log(ids[i]!, `models:/${name}/${i % 2 === 0 ? 1 : 2}`, `s3://inputs/${i}.json`);
      // Logging keeps pace with the server (a serving process's rate), so it goes on through both restarts.
      if (logger.stats().pending >= 5_000)
        await until('the spool to drain a little', () => logger.stats().pending < 2_500, 120_000);
    }
    await restarts;
    await logger.flush(180_000);
    const stats = logger.stats();
    expect(stats.pending).toBe(0);
    expect(stats.deadLettered).toBe(0);
    expect(stats.sent).toBe(50_000);
    // A batch the server committed just before a crash, its answer lost, is sent again and then counts as
    // not new: the client's own tally may fall short; the server's count below is the one that must be exact.
    expect(stats.created).toBeLessThanOrEqual(50_000);
    expect(stats.retries).toBeGreaterThan(0);
    expect(loggedDuringRestarts).toBeGreaterThan(0);
    await logger.close();
    // The server's own count of predictions created for the model: each exactly once.
    expect(await predictionsCreated(writer.url, name)).toBe(50_000);
    const traced = await untraceable(writer.url, ids, name);
    expect(traced.missing).toEqual([]);
    expect(Object.fromEntries(traced.versions)).toEqual({ 1: 25_000, 2: 25_000 });
  }, 600_000);

  it('keeps unsent predictions on disk across a restart of the client process, and says when the spool is full', async () => {
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 1, 'ts-spool');
    const spoolDir = join(work, uniq('spool'));
    const c = client();
    const run = uniq('s');
    // The server cannot be reached: everything stays spooled.
    served.proxy.setBlackhole(true);
    served.proxy.killConnections();
    const a = c.predictionLogger({
      spoolDir,
      flushIntervalMs: 50,
      maxPending: 100,
      backoff: { baseMs: 50, maxMs: 200 },
    });
    for (let i = 0; i < 100; i++) a.log(`${run}-${i}`, `models:/${name}/1`);
    expect(() => a.log(`${run}-overflow`, `models:/${name}/1`)).toThrow(SpoolFullError);
    a.log(`${run}-3`, `models:/${name}/1`); // already spooled: a no-op, not an overflow
    expect((await a.close(300)).unsent).toBe(100);
    expect(readdirSync(spoolDir).filter((f) => f.startsWith('batch-')).length).toBeGreaterThan(0);

    const dropped: unknown[] = [];
    const b = c.predictionLogger({
      spoolDir,
      flushIntervalMs: 50,
      maxPending: 100,
      onFull: 'drop',
      onError: (e) => void (e.code === 'SPOOL_FULL' && dropped.push(e)),
      backoff: { baseMs: 50, maxMs: 200 },
    });
    expect(b.stats().pending).toBe(100);
    b.log(`${run}-extra`, `models:/${name}/1`);
    expect(b.stats().dropped).toBe(1);
    expect(dropped).toHaveLength(1);
    served.proxy.setBlackhole(false);
    served.proxy.killConnections();
    await b.flush(60_000);
    expect(b.stats()).toMatchObject({ pending: 0, sent: 100, created: 100 });
    await b.close();
    expect(readdirSync(spoolDir).filter((f) => f.startsWith('batch-'))).toEqual([]);
    expect(await predictionsCreated(writer.url, name)).toBe(100);
  });

  it('dead-letters a batch the server refuses for good (unknown model) instead of retrying it forever', async () => {
    const c = client();
    const errors: PedigreeError[] = [];
    const logger = c.predictionLogger({
      flushIntervalMs: 50,
      onError: (e, info) => void (!info.willRetry && errors.push(e)),
    });
    logger.log(uniq('orphan'), `models:/${uniq('no-such-model')}/1`);
    await logger.flush(30_000);
    expect(logger.stats()).toMatchObject({ pending: 0, deadLettered: 1, sent: 0 });
    expect(errors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    await logger.close();
  });
});

describe('README', () => {
  it('the serving loop in the README runs as written: serves the current version, reloads on a move, logs predictions with the version that made them', async () => {
    const example = readmeExample('clients/typescript/README.md', 'examples/serving-loop.mjs', 'js');
    expect(example).toBe(readFileSync('clients/typescript/examples/serving-loop.mjs', 'utf8'));
    const base = writer.url.replace(/\/graphql$/, '');
    const name = await modelWithVersions(base, 2, 'ts-example');
    await moveAlias(writer.url, name, 'live', 1);
    // A project that depends on the package (built by npm run clients:build).
    const app = mkdtempSync(join(work, 'app-'));
    mkdirSync(join(app, 'node_modules/@pedigree'), { recursive: true });
    symlinkSync(resolve('clients/typescript'), join(app, 'node_modules/@pedigree/client'));
    writeFileSync(join(app, 'serving-loop.mjs'), example);
    const run = runExample(process.execPath, ['serving-loop.mjs', name, 'live'], app, {
      PEDIGREE_URL: served.url,
      PEDIGREE_TOKEN: TEST_ADMIN_TOKEN,
    });
    try {
      await run.waitFor(new RegExp(`^serving ${name} version 1 `));
      await moveAlias(writer.url, name, 'live', 2);
      await run.waitFor(new RegExp(`^serving ${name} version 2 `));
      await sleep(500);
    } finally {
      const { code, stderr } = await run.stop();
      expect(code, stderr).toBe(0);
    }
    expect(readFileSync(join(app, 'models', name, '2', 'model.bin'), 'utf8')).toBe(`weights of ${name} v2\n`);
    expect((await predictionsByVersion(writer.url, name))[2]).toBeGreaterThan(0);
  });
});

import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../../src/graph/embedded.js';
import { gql, gqlOk } from '../support/graphql.js';
import { eventLog, newDataDir, openStore, startMain, type MainProcess } from '../support/main-process.js';
import { startTestServer } from '../support/server.js';

const CREATE =
  'mutation($m: String!, $c: String!, $k: String!) { createModelVersion(input: { modelName: $m, source: "s3://b/m", checksum: $c, idempotencyKey: $k }) { id version } }';
const checksum = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True until the process is gone or a zombie (dead, not yet reaped by its parent). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The embedded JVM killed with SIGKILL five times under 32 writers. The
 * process exits non-zero within seconds (a supervisor restarts it: this test
 * plays the supervisor), /readyz never says ready in between, and afterwards
 * every write a client saw acknowledged is in the store, each idempotency key
 * produced exactly one version, and the event log has no gap.
 */
describe('crash and restart of the embedded Neo4j', () => {
  const dataDir = newDataDir('crash');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'SIGKILL of the JVM five times under 32 writers loses no acknowledged write and leaves no gap',
    { timeout: 900_000 },
    async () => {
      const port = await freePort();
      let server: MainProcess = await startMain(dataDir, { PORT: String(port), PEDIGREE_NEO4J_RETRY_MS: '2000' });
      const url = server.url;
      const models = Array.from({ length: 8 }, (_, i) => `crash-${i}`);
      for (const m of models)
        await gqlOk(url, 'mutation($n: String!) { createRegisteredModel(input: { name: $n }) { id } }', { n: m });

      /** Each key's acknowledged result (a key is retried until it is acknowledged). */
      const acked = new Map<string, { id: string; version: number; model: string }>();
      let stop = false;
      let failures = 0;
      const unexpected: string[] = [];
      const writer = async (w: number) => {
        const model = models[w % models.length]!;
        for (let n = 0; !stop; n++) {
          const key = `w${w}-${n}`;
          for (;;) {
            try {
              const r = await gql(url, CREATE, { m: model, c: checksum(key), k: key });
              const v = r.data?.createModelVersion;
              if (v) {
                acked.set(key, { id: v.id, version: v.version, model });
                break;
              }
              // Only an unavailable (or stopping) database may refuse a write here.
              const code = String(r.errors?.[0]?.extensions?.code);
              if (!/^(UNAVAILABLE|INTERNAL_SERVER_ERROR)$/.test(code)) unexpected.push(JSON.stringify(r.errors));
            } catch {
              // the server is down or restarting: same key again
            }
            failures++;
            await sleep(100);
          }
        }
      };
      const writers = Promise.all(Array.from({ length: 32 }, (_, w) => writer(w)));

      const readyz = `http://127.0.0.1:${port}/readyz`;
      for (let kill = 0; kill < 5; kill++) {
        const before = acked.size;
        while (acked.size < before + 40) await sleep(50);
        process.kill(server.jvmPid, 'SIGKILL');
        while (alive(server.jvmPid)) await sleep(10);
        // From the JVM's death until the process is gone, /readyz never answers ready.
        let exitCode: number | null | undefined;
        void server.exited.then((c) => (exitCode = c));
        while (exitCode === undefined) {
          const status = await fetch(readyz).then(
            (r) => r.status,
            () => 0,
          );
          expect(status).not.toBe(200);
          await sleep(50);
        }
        expect(exitCode).toBe(1);
        expect(server.log.some((l) => l.includes('embedded Neo4j exited unexpectedly'))).toBe(true);
        server = await startMain(dataDir, { PORT: String(port), PEDIGREE_NEO4J_RETRY_MS: '2000' });
      }
      const final = acked.size;
      while (acked.size < final + 40) await sleep(50);
      stop = true;
      await writers;
      expect(failures).toBeGreaterThan(0);
      expect(unexpected).toEqual([]);
      expect(await server.stop()).toBe(0);

      const store = await openStore(dataDir);
      try {
        const log = await eventLog(store.driver);
        expect(log).toEqual({ counter: log.last, events: log.last, distinct: log.last, first: 1, last: log.last });
        const s = store.driver.session();
        try {
          const rows = (
            await s.run(
              'MATCH (v:ModelVersion)-[:VERSION_OF]->(m:RegisteredModel) WHERE m.name STARTS WITH "crash-" RETURN v.id AS id, v.version AS version, m.name AS model',
            )
          ).records.map((r) => ({
            id: r.get('id') as string,
            version: Number(r.get('version')),
            model: r.get('model') as string,
          }));
          const byId = new Map(rows.map((r) => [r.id, r]));
          // Every acknowledged write is there, as acknowledged; nothing else is (one version per key).
          for (const [key, a] of acked) expect(byId.get(a.id), key).toEqual(a);
          expect(rows.length).toBe(acked.size);
          // Numbers per model are 1..n: no duplicate, no gap.
          for (const m of models) {
            const versions = rows
              .filter((r) => r.model === m)
              .map((r) => r.version)
              .sort((x, y) => x - y);
            expect(versions).toEqual(versions.map((_, i) => i + 1));
          }
          const created = await s.run(
            "MATCH (e:Event {type: 'VERSION_CREATED'}) WHERE e.modelName STARTS WITH 'crash-' RETURN count(e) AS n",
          );
          expect(Number(created.records[0]!.get('n'))).toBe(acked.size);
        } finally {
          await s.close();
        }
      } finally {
        await store.close();
      }
    },
  );
});

/**
 * An external Neo4j (here an embedded one the test runs, at a fixed port and
 * password) that goes away and comes back: writes in flight fail with the
 * retryable UNAVAILABLE once the driver's retry window passes, the driver
 * reconnects by itself, and the same idempotency key then applies the write
 * exactly once.
 */
describe('an external Neo4j that restarts', () => {
  it(
    'fails writes with UNAVAILABLE while it is down and applies each idempotency key once after it returns',
    { timeout: 300_000 },
    async () => {
      const dataDir = newDataDir('external');
      const password = 'external-neo4j-password-0123456789';
      let neo: EmbeddedNeo4j = await startEmbeddedNeo4j({
        dataDir,
        heapMb: 512,
        pagecacheMb: 64,
        testOnlyPassword: password,
      });
      const port = neo.port;
      const t = await startTestServer({
        NEO4J_URI: neo.uri,
        NEO4J_USER: 'neo4j',
        NEO4J_PASSWORD: password,
        PEDIGREE_NEO4J_RETRY_MS: '1500',
      });
      try {
        await gqlOk(t.url, 'mutation { createRegisteredModel(input: { name: "ext" }) { id } }');
        process.kill(neo.pid, 'SIGKILL');
        await neo.exited;
        const down = await gql(t.url, CREATE, { m: 'ext', c: checksum('ext-1'), k: 'ext-1' });
        expect(down.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
        expect((await fetch(t.url.replace(/graphql$/, 'readyz'))).status).toBe(503);

        neo = await startEmbeddedNeo4j({ dataDir, port, heapMb: 512, pagecacheMb: 64, testOnlyPassword: password });
        let again = await gql(t.url, CREATE, { m: 'ext', c: checksum('ext-1'), k: 'ext-1' });
        for (let i = 0; i < 40 && again.errors; i++) {
          await sleep(250);
          again = await gql(t.url, CREATE, { m: 'ext', c: checksum('ext-1'), k: 'ext-1' });
        }
        expect(again.errors).toBeUndefined();
        const replay = await gqlOk(t.url, CREATE, { m: 'ext', c: checksum('ext-1'), k: 'ext-1' });
        expect(replay.createModelVersion).toEqual(again.data.createModelVersion);
        const versions = await gqlOk(t.url, '{ registeredModel(name: "ext") { versions(first: 10) { totalCount } } }');
        expect(versions.registeredModel.versions.totalCount).toBe(1);
      } finally {
        await t.close();
        await neo.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});

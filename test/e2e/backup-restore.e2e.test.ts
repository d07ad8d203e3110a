import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../src/graph/executor.js';
import { GraphSnapshot } from '../../src/graph/snapshot.js';
import { createLogger } from '../../src/logger.js';
import type { BackupManifest } from '../../src/backup/backup-format.js';
import { GraphDigest } from '../../src/backup/digest.js';
import { gql, gqlOk, TEST_ADMIN_TOKEN } from '../support/graphql.js';
import { eventLog, newDataDir, openStore, runScript, startMain, type MainProcess } from '../support/main-process.js';

/**
 * Backup and restore end to end, with the README's commands: a server of its
 * own (src/main.ts, embedded Neo4j), writers moving aliases and registering
 * versions while `npm run backup` runs, `npm run restore` into an empty data
 * directory, then the restored store read directly.
 */
describe('backup and restore', () => {
  const source = newDataDir('backup-src');
  const target = newDataDir('backup-dst');
  const files = newDataDir('backup-files');
  let server: MainProcess;
  const WRITERS = 6;
  const models = Array.from({ length: WRITERS }, (_, i) => `backup-writer-${i}`);
  /** Alias moves the server acknowledged, with the event sequence each committed at. */
  const moves: { model: string; version: number; sequence: number }[] = [];
  let stopWriters = false;
  let writers: Promise<void>;

  const artifact = (path: string) =>
    `${server.url.replace(/\/graphql$/, '')}/api/2.0/mlflow-artifacts/artifacts/${path}`;
  const put = async (path: string, body: string) => {
    const res = await fetch(artifact(path), {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body,
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    server = await startMain(source);
    for (const m of models)
      await gqlOk(
        server.url,
        'mutation($n: String!) { createRegisteredModel(input: { name: $n, owner: "ops" }) { id } }',
        { n: m },
      );
    await put('backup/before/model.bin', 'bytes before the backup');
    await put('backup/before/nested/config.json', '{"a":1}');
    writers = Promise.all(
      models.map(async (m) => {
        while (!stopWriters) {
          const c = `sha256:${createHash('sha256').update(`${m}-${Math.random()}`).digest('hex')}`;
          const v = await gql(
            server.url,
            'mutation($m: String!, $c: String!) { createModelVersion(input: { modelName: $m, source: "s3://b/m", checksum: $c }) { version } }',
            { m, c },
          );
          const version = v.data?.createModelVersion?.version as number | undefined;
          if (!version) throw new Error(`a write was refused: ${JSON.stringify(v.errors)}`);
          const a = await gql(
            server.url,
            'mutation($m: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: "candidate", version: $v) { sequence } }',
            { m, v: version },
          );
          if (!a.data?.setRegisteredModelAlias) throw new Error(`a write was refused: ${JSON.stringify(a.errors)}`);
          moves.push({ model: m, version, sequence: Number(a.data.setRegisteredModelAlias.sequence) });
        }
      }),
    ).then(() => undefined);
  }, 240_000);

  afterAll(async () => {
    stopWriters = true;
    await writers?.catch(() => undefined);
    await server?.stop();
    for (const d of [source, target, files]) rmSync(d, { recursive: true, force: true });
  });

  let manifest: BackupManifest;
  const backupFile = join(files, 'under-writes.tar.gz');

  it(
    'npm run backup takes an online backup while writes go on, and writes keep committing',
    { timeout: 240_000 },
    async () => {
      while (moves.length < 20) {
        await Promise.race([writers, new Promise((r) => setTimeout(r, 100))]);
      }
      const before = moves.length;
      const { code, out } = await runScript('backup', [
        '--out',
        backupFile,
        '--url',
        server.url.replace(/\/graphql$/, ''),
        '--token',
        TEST_ADMIN_TOKEN,
      ]);
      expect(code, out).toBe(0);
      expect(out).toMatch(/verified .* sequence \d+/);
      // Writers were never refused: they went on during and after the backup.
      await new Promise((r) => setTimeout(r, 1500));
      expect(moves.length).toBeGreaterThan(before + WRITERS);
      const dir = join(files, 'unpacked');
      mkdirSync(dir, { mode: 0o700 });
      await extract({ file: backupFile, cwd: dir });
      manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
      expect(manifest.graph).not.toBeNull();
      expect(Number(manifest.sequence)).toBeGreaterThan(0);
      expect(manifest.files.artifacts).toBeGreaterThanOrEqual(2);
      // The staging of uploads is never in a backup; the served tree is.
      expect(readFileSync(join(dir, 'artifacts/backup/before/model.bin'), 'utf8')).toBe('bytes before the backup');
      expect(readFileSync(join(dir, 'files.sha256'), 'utf8')).toMatch(
        /^[0-9a-f]{64} {2}artifacts\/backup\/before\/model\.bin$/m,
      );
    },
  );

  it('restore refuses a data directory that is not empty, and leaves it as it was', { timeout: 120_000 }, async () => {
    const occupied = newDataDir('backup-occupied');
    writeFileSync(join(occupied, 'keep.txt'), 'mine');
    try {
      const { code, out } = await runScript('restore', ['--from', backupFile, '--data-dir', occupied]);
      expect(code).toBe(1);
      expect(out).toMatch(/is not empty .*--force/);
      expect(readdirSync(occupied)).toEqual(['keep.txt']);
    } finally {
      rmSync(occupied, { recursive: true, force: true });
    }
  });

  it('npm run restore loads it into an empty data directory and checks the digest', { timeout: 300_000 }, async () => {
    const { code, out } = await runScript('restore', ['--from', backupFile, '--data-dir', target]);
    expect(code, out).toBe(0);
    expect(out).toContain(`digest ${manifest.graph!.digest} matches`);
    expect(readdirSync(target).sort()).toEqual(['artifacts', 'neo4j', 'signing-keys']);
    expect(readFileSync(join(target, 'artifacts/backup/before/nested/config.json'), 'utf8')).toBe('{"a":1}');
  });

  it(
    'the restored graph is the source at the backup sequence: every acknowledged write up to it, none after, a gap-free log',
    { timeout: 300_000 },
    async () => {
      const N = Number(manifest.sequence);
      const store = await openStore(target);
      try {
        expect(await eventLog(store.driver)).toEqual({ counter: N, events: N, distinct: N, first: 1, last: N });
        const s = store.driver.session();
        try {
          const seqs = new Set(
            (await s.run("MATCH (e:Event {type: 'ALIAS_SET'}) RETURN e.sequence AS s")).records.map((r) =>
              Number(r.get('s')),
            ),
          );
          const acknowledged = moves.filter((m) => m.sequence <= N);
          expect(acknowledged.length).toBeGreaterThan(0);
          for (const m of acknowledged) expect(seqs.has(m.sequence), `move at ${m.sequence}`).toBe(true);
          expect(
            moves.filter((m) => m.sequence > N).length,
            'some moves committed after the backup point',
          ).toBeGreaterThan(0);
          for (const m of models) {
            const last = acknowledged.filter((x) => x.model === m).at(-1);
            const r = await s.run(
              'MATCH (mo:RegisteredModel {name: $m}) OPTIONAL MATCH (v:ModelVersion)-[:VERSION_OF]->(mo) WITH mo, count(v) AS versions OPTIONAL MATCH (a:Alias {name: "candidate"})-[:ALIAS_OF]->(mo) OPTIONAL MATCH (a)-[:POINTS_TO]->(t:ModelVersion) RETURN versions, t.version AS target',
              { m },
            );
            const created = await s.run(
              "MATCH (e:Event {type: 'VERSION_CREATED', modelName: $m}) RETURN count(e) AS n",
              { m },
            );
            expect(Number(r.records[0]!.get('versions'))).toBe(Number(created.records[0]!.get('n')));
            if (last) expect(Number(r.records[0]!.get('target'))).toBe(last.version);
          }
        } finally {
          await s.close();
        }
      } finally {
        await store.close();
      }
    },
  );

  it(
    'a backup with writes stopped digests exactly as the source store read directly',
    { timeout: 300_000 },
    async () => {
      stopWriters = true;
      await writers;
      const quiet = join(files, 'quiet.tar.gz');
      const { code, out } = await runScript('backup', [
        '--out',
        quiet,
        '--url',
        server.url.replace(/\/graphql$/, ''),
        '--token',
        TEST_ADMIN_TOKEN,
      ]);
      expect(code, out).toBe(0);
      const dir = join(files, 'quiet');
      mkdirSync(dir, { mode: 0o700 });
      await extract({ file: quiet, cwd: dir });
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
      expect(await server.stop()).toBe(0);

      const store = await openStore(source);
      try {
        const snapshot = new GraphSnapshot(new Executor(store.driver, 'neo4j', createLogger('silent')));
        const digest = new GraphDigest();
        for await (const n of snapshot.nodes()) digest.addNode(n);
        for await (const r of snapshot.relationships()) digest.addRelationship(r);
        expect(digest.digest()).toBe(m.graph!.digest);
        expect(digest.nodes).toBe(m.graph!.nodes);
        expect(await snapshot.lastSequence()).toBe(m.sequence);
      } finally {
        await store.close();
      }
    },
  );
});

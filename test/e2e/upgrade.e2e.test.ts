import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/graph/cypher.js';
import { PEDIGREE_VERSION } from '../../src/version.js';
import { gqlOk, TEST_ADMIN_TOKEN } from '../support/graphql.js';
import { eventLog, newDataDir, openStore, root, startMain } from '../support/main-process.js';

/**
 * A data directory written by the previous release (d6eb82f: the repository
 * has no tags; test/fixtures/upgrade/make-fixture.sh made it with that
 * commit's own code) opens with this code: the missing migrations are
 * applied and recorded, the data reads back, idempotency keys written before
 * keys were scoped per principal still replay, and the event log continues
 * without a gap. A store that has a migration this code does not know is
 * refused at start, before anything is written.
 */
describe('upgrade from the previous release', () => {
  const dataDir = newDataDir('upgrade');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'opens a d6eb82f data directory, applies and records the newer migrations, and serves its data',
    { timeout: 300_000 },
    async () => {
      await extract({ file: join(root, 'test/fixtures/upgrade/d6eb82f.tar.gz'), cwd: dataDir });
      const server = await startMain(dataDir);
      try {
        const applied = server.log
          .filter((l) => l.includes('"migration applied"'))
          .map((l) => (JSON.parse(l) as { migration: string }).migration);
        expect(applied).toEqual([
          '080-idempotency-key-principals',
          '081-integrity',
          ...loadMigrations()
            .map((m) => m.id)
            .filter((id) => id > '081-integrity'),
        ]);

        const model = await gqlOk(
          server.url,
          '{ registeredModel(name: "fraud") { description tags { key value } aliases { alias version { version } } versions(first: 10) { totalCount edges { node { version run { id } } } } } }',
        );
        expect(model.registeredModel).toMatchObject({
          description: 'made by d6eb82f',
          tags: [{ key: 'team', value: 'risk' }],
          aliases: [{ alias: 'candidate', version: { version: 2 } }],
        });
        expect(model.registeredModel.versions.totalCount).toBe(3);
        expect(
          (await gqlOk(server.url, '{ resolveModelUri(uri: "models:/fraud@candidate") { version } }')).resolveModelUri
            .version,
        ).toBe(2);

        // Searches walk the indexes the newer migrations add (085: version number order) on the old store's versions.
        const search = await gqlOk(
          server.url,
          '{ searchModelVersions(orderBy: [{ field: VERSION, direction: DESC }], first: 2) { totalCount totalCountIsExact edges { node { version model { name } } } } }',
        );
        expect(search.searchModelVersions).toEqual({
          totalCount: 3,
          totalCountIsExact: true,
          edges: [3, 2].map((version) => ({ node: { version, model: { name: 'fraud' } } })),
        });

        // A key stored before keys were scoped per principal (migration 080) still replays for the admin who used it.
        const v1 = model.registeredModel.versions.edges.find(
          (e: { node: { version: number } }) => e.node.version === 1,
        ).node;
        const replay = await gqlOk(
          server.url,
          'mutation($r: String) { createModelVersion(input: { modelName: "fraud", source: "s3://models/fraud", checksum: "sha256:' +
            'a'.repeat(64) +
            '", idempotencyKey: "fixture-key-1", runId: $r, metrics: [{ key: "auc", value: 0.9 }] }) { version } }',
          { r: v1.run.id },
        );
        expect(replay.createModelVersion.version).toBe(1);

        const before = Number((await gqlOk(server.url, '{ serverInfo { lastSequence } }')).serverInfo.lastSequence);
        const moved = await gqlOk(
          server.url,
          'mutation { setRegisteredModelAlias(modelName: "fraud", alias: "candidate", version: 3) { sequence } }',
        );
        expect(Number(moved.setRegisteredModelAlias.sequence)).toBe(before + 1);

        const artifact = await fetch(
          server.url.replace(/graphql$/, 'api/2.0/mlflow-artifacts/artifacts/fixture/model.bin'),
          { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
        );
        expect(await artifact.text()).toBe('bytes written by d6eb82f');
      } finally {
        expect(await server.stop()).toBe(0);
      }

      const store = await openStore(dataDir);
      try {
        const log = await eventLog(store.driver);
        expect(log).toEqual({ counter: log.last, events: log.last, distinct: log.last, first: 1, last: log.last });
        const s = store.driver.session();
        try {
          const rows = (
            await s.run('MATCH (m:Migration) RETURN m.id AS id, m.pedigreeVersion AS version ORDER BY id')
          ).records.map((r) => [r.get('id'), r.get('version')]);
          expect(rows.find(([id]) => id === '070-promotion-attestations')).toEqual([
            '070-promotion-attestations',
            null,
          ]);
          expect(rows.find(([id]) => id === '081-integrity')).toEqual(['081-integrity', PEDIGREE_VERSION]);
          // What a newer Pedigree would leave behind.
          await s.run("CREATE (:Migration {id: '999-from-a-newer-pedigree', pedigreeVersion: '9.9.9'})");
        } finally {
          await s.close();
        }
      } finally {
        await store.close();
      }
    },
  );

  it(
    'refuses, at start and clearly, a store written by a newer Pedigree (no downgrades)',
    { timeout: 300_000 },
    async () => {
      const started = startMain(dataDir);
      await expect(started).rejects.toThrow(
        /exited with 1 before serving[\s\S]*written by a newer Pedigree: it has migrations 999-from-a-newer-pedigree[\s\S]*Downgrades are not supported/,
      );
    },
  );
});

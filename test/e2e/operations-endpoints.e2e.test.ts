import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src/backup/backup-format.js';
import { contractOp } from '../support/contract.js';
import { gql, gqlOk, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** /metrics error codes and POST /admin/backup's access rules, on the run's (external) Neo4j. */
describe('operations endpoints', () => {
  let t: TestServer;
  let base: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-ops-endpoints-'));
  beforeAll(async () => {
    t = await startTestServer({ PEDIGREE_DATA_DIR: dataDir });
    base = t.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const metric = async (code: string) =>
    Number(
      new RegExp(`^pedigree_graphql_errors_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(
        await (await fetch(`${base}/metrics`)).text(),
      )?.[1] ?? 0,
    );

  it('/metrics counts a resolver BAD_USER_INPUT under BAD_USER_INPUT, as the client saw it, never UNKNOWN', async () => {
    const before = await metric('BAD_USER_INPUT');
    const res = await gql(t.url, 'mutation { createRegisteredModel(input: { name: "no spaces allowed" }) { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await metric('BAD_USER_INPUT')).toBe(before + 1);
    expect(await (await fetch(`${base}/metrics`)).text()).not.toMatch(/code="UNKNOWN"/);
  });

  it('POST /admin/backup needs an ADMIN token and POST', async () => {
    expect((await fetch(`${base}/admin/backup`, { method: 'POST' })).status).toBe(401);
    const viewer = (await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq('viewer'), role: 'VIEWER' }))
      .createApiToken.token as string;
    const refused = await fetch(`${base}/admin/backup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/needs ADMIN/);
    expect(
      (await fetch(`${base}/admin/backup`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).status,
    ).toBe(405);
  });

  it("with an external NEO4J_URI a backup holds the artifacts and says the graph is for Neo4j's own tools", async () => {
    await writeFile(join(t.config.dataDir, 'artifacts', 'external.bin'), 'artifact bytes');
    const res = await fetch(`${base}/admin/backup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const file = join(dataDir, 'b.tar.gz');
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const out = mkdtempSync(join(tmpdir(), 'pedigree-ops-unpacked-'));
    try {
      await extract({ file, cwd: out });
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as BackupManifest;
      expect(m.graph).toBeNull();
      expect(m.graphOmitted).toMatch(/NEO4J_URI is set.*Neo4j's own tools/);
      expect(readFileSync(join(out, 'artifacts/external.bin'), 'utf8')).toBe('artifact bytes');
      expect(m.files.artifacts).toBe(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

import { testDriver } from '../support/neo4j.js';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDigest } from '../../src/artifacts/artifact-store.js';
import { loadMigrations } from '../../src/graph/cypher.js';
import { contractOp } from '../support/contract.js';
import { graphDigest } from '../support/graph-digest.js';
import { as, code, gql, gqlOk, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { promoteToProduction } from '../support/provenance-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The artifact proxy's rules (src/artifacts/artifact.service.ts) through the
 * wire every client uses: MLflow's artifact proxy for files, MLflow's REST API
 * and GraphQL for registering versions from them.
 */

const ART = '/api/2.0/mlflow-artifacts/artifacts';
const KIB = 1024;
const MAX_FILE = 64 * KIB;
const PRINCIPAL_QUOTA = 200 * KIB;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

interface Reply {
  status: number;
  body: Buffer;
  json: any;
  headers: IncomingMessage['headers'];
}

/** Cypher straight against the test database (for what only the disk or the graph can show). */
async function cypher<T = Record<string, unknown>>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const driver = testDriver();
  const session = driver.session();
  try {
    const r = await session.run(query, params);
    return r.records.map((x) => {
      const o = x.toObject() as Record<string, unknown>;
      for (const [k, v] of Object.entries(o)) if (neo4j.isInt(v)) o[k] = (v as { toNumber(): number }).toNumber();
      return o as T;
    });
  } finally {
    await session.close();
    await driver.close();
  }
}

describe('artifact proxy: write-once, owners, quotas, verified reads', () => {
  let t: TestServer;
  let base: URL;
  let dataDir: string;
  let storeDir: string;
  let stagingDir: string;
  let alice: string;
  let bob: string;
  let viewer: string;
  const admin = TEST_ADMIN_TOKEN;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-artifacts-'));
    storeDir = join(dataDir, 'artifacts');
    stagingDir = join(dataDir, 'artifacts-staging');
    t = await startTestServer({
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_ARTIFACT_MAX_FILE_BYTES: String(MAX_FILE),
      PEDIGREE_ARTIFACT_QUOTA_BYTES: String(PRINCIPAL_QUOTA),
      PEDIGREE_ARTIFACT_MIN_FREE_BYTES: '0',
    });
    base = new URL(t.url);
    const token = async (role: string) =>
      (await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq(role.toLowerCase()), role })).createApiToken
        .token as string;
    alice = await token('CONTRIBUTOR');
    bob = await token('CONTRIBUTOR');
    viewer = await token('VIEWER');
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** One HTTP exchange, raw (fetch would normalise paths and insist on reading what it sent). */
  function http(
    method: string,
    path: string,
    o: { token?: string | null; body?: Buffer | string; chunked?: boolean } = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (o.token !== null) headers.authorization = `Bearer ${o.token ?? admin}`;
      if (o.body !== undefined)
        headers[o.chunked ? 'transfer-encoding' : 'content-length'] = o.chunked
          ? 'chunked'
          : String(Buffer.byteLength(o.body));
      if (o.body !== undefined && typeof o.body === 'string' && path.startsWith('/api/2.0/mlflow/'))
        headers['content-type'] = 'application/json';
      const req = request({ host: base.hostname, port: base.port, method, path, headers, agent: false }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const body = Buffer.concat(chunks);
          let json: unknown = null;
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch {
            /* a download */
          }
          resolve({ status: r.statusCode!, body, json, headers: r.headers });
        });
        r.on('error', reject);
      });
      req.on('error', reject);
      req.end(o.body);
    });
  }
  const put = (token: string | null, path: string, body: Buffer | string, chunked = false) =>
    http('PUT', `${ART}/${path}`, { token, body, chunked });
  const get = (token: string | null, path: string) => http('GET', `${ART}/${path}`, { token });
  const del = (token: string | null, path: string) => http('DELETE', `${ART}/${path}`, { token });
  const list = async (path: string) =>
    ((await http('GET', `${ART}?path=${encodeURIComponent(path)}`)).json.files ?? []).map(
      (f: any) => f.path,
    ) as string[];
  const mf = async (token: string, method: string, endpoint: string, body?: Record<string, unknown>) => {
    const query = method === 'GET' && body ? `?${new URLSearchParams(body as Record<string, string>)}` : '';
    const r = await http(method, `/api/2.0/mlflow/${endpoint}${query}`, {
      token,
      body: body === undefined || method === 'GET' ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: r.json };
  };

  /** An experiment and a run created by `token` through MLflow; returns the run's store root. */
  async function mlflowRun(token: string): Promise<{ experimentId: string; runId: string; root: string }> {
    const e = await mf(token, 'POST', 'experiments/create', { name: uniq('art-exp') });
    expect(e.status).toBe(200);
    const r = await mf(token, 'POST', 'runs/create', { experiment_id: e.json.experiment_id });
    const runId = r.json.run.info.run_id as string;
    return { experimentId: e.json.experiment_id, runId, root: `${e.json.experiment_id}/${runId}/artifacts` };
  }

  /** Every file under the served tree, relative to it. */
  function servedFiles(dir = storeDir, prefix = ''): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? servedFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    );
  }

  async function registerMlflow(token: string, source: string, extra: Record<string, unknown> = {}) {
    const name = uniq('art-model');
    expect((await mf(token, 'POST', 'registered-models/create', { name })).status).toBe(200);
    const v = await mf(token, 'POST', 'model-versions/create', { name, source, ...extra });
    return { name, v };
  }

  const checksumOf = async (modelName: string, version = 1) =>
    (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName, version })).modelVersion.checksum as string;

  it("write-once: nobody overwrites, deletes or adds to a registered version's files (runs:/ through MLflow); its bytes and checksum stay", async () => {
    const { runId, root } = await mlflowRun(alice);
    expect((await put(alice, `${root}/model/MLmodel`, 'flavors: {}\n')).status).toBe(200);
    expect((await put(alice, `${root}/model/data/w.bin`, 'weights-1')).status).toBe(200);
    expect((await put(alice, `${root}/notes.txt`, 'scratch')).status).toBe(200);
    const { name, v } = await registerMlflow(alice, `runs:/${runId}/model`, { run_id: runId });
    expect(v.status).toBe(200);
    const checksum = await checksumOf(name);
    expect(checksum).toBe(
      manifestDigest([
        { path: 'MLmodel', sha256: sha256('flavors: {}\n') },
        { path: 'data/w.bin', sha256: sha256('weights-1') },
      ]),
    );

    const before = await graphDigest();
    const refusals: [string, Promise<Reply>][] = [
      ['overwrite by the creator', put(alice, `${root}/model/MLmodel`, 'flavors: {evil: 1}\n')],
      ['overwrite by an admin', put(admin, `${root}/model/data/w.bin`, 'weights-evil')],
      ['add a file', put(alice, `${root}/model/extra.py`, 'import os')],
      ['add under a subdirectory', put(alice, `${root}/model/data/more/x.bin`, 'x')],
      ['delete a file', del(alice, `${root}/model/MLmodel`)],
      ['delete the directory (as admin)', del(admin, `${root}/model`)],
      ["delete the run's root above it", del(alice, root)],
    ];
    for (const [why, reply] of refusals) {
      const r = await reply;
      expect({ why, status: r.status, code: r.json?.error_code }).toEqual({ why, status: 400, code: 'INVALID_STATE' });
      expect(r.json.message).toMatch(/write-once/);
    }
    expect((await put(alice, `${root}/model/extra.py`, 'x')).json.message).toContain(`${name} v1`);
    // Nothing changed: the graph, the listing, the bytes served, the checksum.
    expect(await graphDigest()).toEqual(before);
    expect(await list(`${root}/model`)).toEqual(['MLmodel', 'data']);
    expect((await get(viewer, `${root}/model/MLmodel`)).body.toString()).toBe('flavors: {}\n');
    expect((await get(viewer, `${root}/model/data/w.bin`)).body.toString()).toBe('weights-1');
    expect(await checksumOf(name)).toBe(checksum);
    // Beside the sealed source the run's files stay the run's to change.
    expect((await put(alice, `${root}/notes.txt`, 'scratch 2')).status).toBe(200);
    expect((await del(alice, `${root}/notes.txt`)).status).toBe(200);
  });

  it('write-once for every source form: models:/m-… and mlflow-artifacts:/… registered through GraphQL are sealed too', async () => {
    const { experimentId, runId, root } = await mlflowRun(alice);
    const lm = await mf(alice, 'POST', 'logged-models', {
      experiment_id: experimentId,
      name: 'model',
      source_run_id: runId,
    });
    const modelId = lm.json.model.info.model_id as string;
    const lmRoot = `${experimentId}/models/${modelId}/artifacts`;
    expect(lm.json.model.info.artifact_uri).toBe(`mlflow-artifacts:/${lmRoot}`);
    expect((await put(alice, `${lmRoot}/MLmodel`, 'logged: 1\n')).status).toBe(200);
    expect((await put(alice, `${root}/single.bin`, 'one file')).status).toBe(200);
    const name = uniq('art-gql');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } }, as(alice));
    const sources = [
      [`models:/${modelId}`, manifestDigest([{ path: 'MLmodel', sha256: sha256('logged: 1\n') }]), `${lmRoot}/MLmodel`],
      [`mlflow-artifacts:/${root}/single.bin`, `sha256:${sha256('one file')}`, `${root}/single.bin`],
    ] as const;
    for (const [source, checksum, file] of sources) {
      const created = await gqlOk(
        t.url,
        contractOp('CreateModelVersion'),
        { input: { modelName: name, source, checksum } },
        as(alice),
      );
      expect(created.createModelVersion).toMatchObject({ source, checksum });
      const before = await graphDigest();
      for (const r of [await put(alice, file, 'changed'), await del(alice, file), await put(admin, file, 'changed')])
        expect(r.json.error_code).toBe('INVALID_STATE');
      expect(await graphDigest()).toEqual(before);
    }
    expect((await get(alice, `${lmRoot}/MLmodel`)).body.toString()).toBe('logged: 1\n');
    expect((await get(alice, `${root}/single.bin`)).body.toString()).toBe('one file');
  });

  it('the seal outlives its version: deleting the version leaves its files write-once', async () => {
    const { runId, root } = await mlflowRun(alice);
    await put(alice, `${root}/model/w.bin`, 'w');
    const { name } = await registerMlflow(alice, `runs:/${runId}/model`);
    expect((await mf(alice, 'DELETE', 'model-versions/delete', { name, version: '1' })).status).toBe(200);
    expect((await del(admin, `${root}/model/w.bin`)).json.error_code).toBe('INVALID_STATE');
    expect((await put(alice, `${root}/model/w.bin`, 'x')).json.error_code).toBe('INVALID_STATE');
    expect((await get(alice, `${root}/model/w.bin`)).body.toString()).toBe('w');
  });

  it('a version in PRODUCTION: its files cannot be deleted or replaced, not even by an admin', async () => {
    const { root } = await mlflowRun(admin);
    await put(admin, `${root}/prod/model.bin`, 'production weights');
    const name = uniq('art-prod');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
    await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: {
        modelName: name,
        source: `mlflow-artifacts:/${root}/prod`,
        checksum: manifestDigest([{ path: 'model.bin', sha256: sha256('production weights') }]),
        metrics: [{ key: 'auc', value: 0.97 }],
      },
    });
    await promoteToProduction(t.url, name, 1);
    expect(
      (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 1 })).modelVersion.stage,
    ).toBe('PRODUCTION');
    const before = await graphDigest();
    expect((await del(admin, `${root}/prod`)).json.error_code).toBe('INVALID_STATE');
    expect((await del(admin, `${root}/prod/model.bin`)).json.error_code).toBe('INVALID_STATE');
    expect((await put(admin, `${root}/prod/model.bin`, 'rollback target gone')).json.error_code).toBe('INVALID_STATE');
    expect(await graphDigest()).toEqual(before);
    expect((await get(viewer, `${root}/prod/model.bin`)).body.toString()).toBe('production weights');
  });

  it("owners: only the creator of a run, logged model or experiment, or an ADMIN, writes there; a path nobody owns is the ADMIN's", async () => {
    const { experimentId, runId, root } = await mlflowRun(alice);
    const lm = await mf(alice, 'POST', 'logged-models', { experiment_id: experimentId, source_run_id: runId });
    const lmRoot = `${experimentId}/models/${lm.json.model.info.model_id}/artifacts`;
    const before = await graphDigest();
    for (const [token, path] of [
      [bob, `${root}/model.pkl`],
      [bob, `${lmRoot}/MLmodel`],
      [bob, `${experimentId}/shared.txt`],
      [bob, `999999999/orphan.txt`],
      [alice, `999999999/orphan.txt`],
    ] as const) {
      const r = await put(token, path, 'bob was here');
      expect({ path, status: r.status, code: r.json.error_code }).toEqual({
        path,
        status: 403,
        code: 'PERMISSION_DENIED',
      });
    }
    expect((await put(viewer, `${root}/model.pkl`, 'x')).status).toBe(403);
    expect((await put(null, `${root}/model.pkl`, 'x')).status).toBe(401);
    expect(await graphDigest()).toEqual(before);
    expect(servedFiles().filter((f) => f.includes(runId) || f.startsWith('999999999'))).toEqual([]);

    // The creator writes, the admin writes; bob may neither overwrite nor delete what they wrote.
    expect((await put(alice, `${root}/model.pkl`, 'alice')).status).toBe(200);
    expect((await put(alice, `${lmRoot}/MLmodel`, 'alice')).status).toBe(200);
    expect((await put(alice, `${experimentId}/shared.txt`, 'alice')).status).toBe(200);
    expect((await put(admin, `${root}/admin.txt`, 'admin')).status).toBe(200);
    expect((await put(admin, `999999999/orphan.txt`, 'admin')).status).toBe(200);
    expect((await put(bob, `${root}/model.pkl`, 'bob')).status).toBe(403);
    expect((await del(bob, `${root}/model.pkl`)).status).toBe(403);
    expect((await get(bob, `${root}/model.pkl`)).body.toString()).toBe('alice');
    expect((await del(alice, `${root}/admin.txt`)).status).toBe(200);
    expect((await del(admin, `999999999`)).status).toBe(200);
    // Bob's own run is bob's.
    const own = await mlflowRun(bob);
    expect((await put(bob, `${own.root}/model.pkl`, 'bob')).status).toBe(200);
  });

  it('no file name is special: a "*.upload-*" file is listed, hashed and served; an upload in flight is staged outside the served tree and never visible', async () => {
    const { runId, root } = await mlflowRun(alice);
    expect((await put(alice, `${root}/model/weights.upload-4242-abc`, 'odd name')).status).toBe(200);
    expect((await put(alice, `${root}/model/MLmodel`, 'm')).status).toBe(200);
    expect(await list(`${root}/model`)).toEqual(['MLmodel', 'weights.upload-4242-abc']);
    expect((await get(viewer, `${root}/model/weights.upload-4242-abc`)).body.toString()).toBe('odd name');

    // An upload in flight: half its body sent, the rest held back.
    const path = `${root}/model/big.bin`;
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          method: 'PUT',
          path: `${ART}/${path}`,
          headers: { authorization: `Bearer ${alice}` },
          agent: false,
        },
        (r) => {
          r.resume();
          r.on('end', () => resolve(r.statusCode!));
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(20 * KIB, 1));
      const waitForStaging = async () => {
        for (let i = 0; i < 200 && !(existsSync(stagingDir) && readdirSync(stagingDir).length > 0); i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(readdirSync(stagingDir).length).toBeGreaterThan(0);
        expect(servedFiles().filter((f) => f.startsWith(root))).toEqual([
          `${root}/model/MLmodel`,
          `${root}/model/weights.upload-4242-abc`,
        ]);
        expect(await list(`${root}/model`)).toEqual(['MLmodel', 'weights.upload-4242-abc']);
        expect((await get(viewer, path)).status).toBe(404);
        req.end(Buffer.alloc(20 * KIB, 2));
      };
      waitForStaging().catch(reject);
    });
    expect(await inFlight).toBe(200);
    expect(await list(`${root}/model`)).toEqual(['MLmodel', 'big.bin', 'weights.upload-4242-abc']);
    expect(readdirSync(stagingDir)).toEqual([]);

    // The odd name is covered by the version's checksum like any file.
    const { name } = await registerMlflow(alice, `runs:/${runId}/model`);
    expect(await checksumOf(name)).toBe(
      manifestDigest([
        { path: 'MLmodel', sha256: sha256('m') },
        { path: 'big.bin', sha256: sha256(Buffer.concat([Buffer.alloc(20 * KIB, 1), Buffer.alloc(20 * KIB, 2)])) },
        { path: 'weights.upload-4242-abc', sha256: sha256('odd name') },
      ]),
    );
    expect((await put(alice, `${root}/model/weights.upload-4242-abc`, 'swap')).json.error_code).toBe('INVALID_STATE');
  });

  it('verified reads: a sealed file changed, removed or added on disk is refused with DATA_LOSS and audited; unsealed files are served', async () => {
    const { runId, root } = await mlflowRun(alice);
    await put(alice, `${root}/model/a.bin`, 'aaaa');
    await put(alice, `${root}/model/b.bin`, 'bbbb');
    await put(alice, `${root}/model/c.bin`, 'cccc');
    await put(alice, `${root}/loose.txt`, 'loose');
    await registerMlflow(alice, `runs:/${runId}/model`);
    expect((await get(viewer, `${root}/model/a.bin`)).body.toString()).toBe('aaaa');

    const disk = (p: string) => join(storeDir, ...p.split('/'));
    writeFileSync(disk(`${root}/model/a.bin`), 'AAAA'); // same size, other bytes
    appendFileSync(disk(`${root}/model/b.bin`), '!'); // other size
    rmSync(disk(`${root}/model/c.bin`));
    writeFileSync(disk(`${root}/model/planted.py`), 'import os');
    writeFileSync(disk(`${root}/loose.txt`), 'changed, but never sealed');
    for (const [file, why] of [
      ['a.bin', /does not match its seal/],
      ['b.bin', /does not match its seal/],
      ['c.bin', /missing/],
      ['planted.py', /not among the sealed artefacts/],
    ] as const) {
      const r = await get(viewer, `${root}/model/${file}`);
      expect({ file, status: r.status, code: r.json?.error_code }).toEqual({ file, status: 409, code: 'DATA_LOSS' });
      expect(r.json.message).toMatch(why);
      expect(r.body.toString()).not.toContain('AAAA');
    }
    expect((await get(viewer, `${root}/loose.txt`)).body.toString()).toBe('changed, but never sealed');
    const audit = (
      await gqlOk(t.url, contractOp('AuditLog'), { filter: { types: ['ARTIFACT_CHECKSUM_MISMATCH'] }, first: 10 })
    ).auditLog.edges.map((e: any) => e.node);
    expect(
      audit
        .filter((n: any) => n.after.path.startsWith(root))
        .map((n: any) => [n.actor, n.after.path])
        .sort(),
    ).toEqual(
      ['a.bin', 'b.bin', 'c.bin', 'planted.py']
        .map((f) => [expect.stringMatching(/^viewer-/), `${root}/model/${f}`])
        .sort(),
    );
    // Registering the changed files again is refused too: they no longer match their seal.
    const again = await registerMlflow(alice, `runs:/${runId}/model`);
    expect(again.v.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(again.v.json.message).toMatch(/changed outside Pedigree/);
  });

  it("quota: over the per-file limit (declared or streamed) or the principal's quota is 413 RESOURCE_EXHAUSTED, and leaves nothing behind", async () => {
    const carolName = uniq('carol');
    const carol = (await gqlOk(t.url, contractOp('CreateApiToken'), { name: carolName, role: 'CONTRIBUTOR' }))
      .createApiToken.token as string;
    const { root } = await mlflowRun(carol);
    const nothingLeft = async (path: string, before: Awaited<ReturnType<typeof graphDigest>>) => {
      expect((await get(carol, path)).status).toBe(404);
      expect(servedFiles().filter((f) => f.startsWith(root))).toEqual(servedBefore);
      expect(existsSync(stagingDir) ? readdirSync(stagingDir) : []).toEqual([]);
      expect(await graphDigest()).toEqual(before);
    };
    const servedBefore: string[] = [];
    let before = await graphDigest();
    const declared = await put(carol, `${root}/too-big.bin`, Buffer.alloc(MAX_FILE + 1));
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({
      error_code: 'RESOURCE_EXHAUSTED',
      message: expect.stringMatching(/PEDIGREE_ARTIFACT_MAX_FILE_BYTES/),
    });
    await nothingLeft(`${root}/too-big.bin`, before);
    const streamed = await put(carol, `${root}/too-big.bin`, Buffer.alloc(MAX_FILE + 1), true);
    expect(streamed.status).toBe(413);
    expect(streamed.json.message).toMatch(/grew past/);
    await nothingLeft(`${root}/too-big.bin`, before);

    // Three 60 KiB files fit carol's 200 KiB; a fourth does not; replacing one of hers with as much does.
    const chunk = Buffer.alloc(60 * KIB, 7);
    for (const n of [1, 2, 3]) {
      expect((await put(carol, `${root}/part-${n}.bin`, chunk)).status).toBe(200);
      servedBefore.push(`${root}/part-${n}.bin`);
    }
    before = await graphDigest();
    const over = await put(carol, `${root}/part-4.bin`, chunk, true);
    expect(over.status).toBe(413);
    expect(over.json.message).toMatch(/PEDIGREE_ARTIFACT_QUOTA_BYTES/);
    await nothingLeft(`${root}/part-4.bin`, before);
    expect((await put(carol, `${root}/part-1.bin`, Buffer.alloc(60 * KIB, 8))).status).toBe(200);
    const [usage] = await cypher<{ bytes: number; files: number }>(
      'MATCH (u:ArtifactUsage {principal: $p}) RETURN u.bytes AS bytes, u.files AS files',
      { p: carolName },
    );
    expect(usage).toEqual({ bytes: 3 * 60 * KIB, files: 3 });
    // Deleting frees the quota.
    expect((await del(carol, `${root}/part-2.bin`)).status).toBe(200);
    expect((await put(carol, `${root}/part-4.bin`, chunk)).status).toBe(200);
    // An admin writing into carol's run is charged to the admin, not carol.
    expect((await put(admin, `${root}/admin.bin`, chunk)).status).toBe(200);
  });

  it('the store-wide quota refuses an upload past it, for every principal, and leaves nothing behind', async () => {
    const [{ bytes }] = (await cypher<{ bytes: number }>(
      "MATCH (c:Counter {name: 'artifactStore'}) RETURN c.value AS bytes",
    )) as [{ bytes: number }];
    const small = await startTestServer({
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_ARTIFACT_STORE_QUOTA_BYTES: String(bytes + 10 * KIB),
      PEDIGREE_ARTIFACT_MIN_FREE_BYTES: '0',
    });
    try {
      const u = new URL(small.url);
      const send = (path: string, size: number) =>
        new Promise<Reply>((resolve, reject) => {
          const req = request(
            {
              host: u.hostname,
              port: u.port,
              method: 'PUT',
              path: `${ART}/${path}`,
              headers: { authorization: `Bearer ${admin}`, 'content-length': String(size) },
              agent: false,
            },
            (r) => {
              const chunks: Buffer[] = [];
              r.on('data', (c: Buffer) => chunks.push(c));
              r.on('end', () =>
                resolve({
                  status: r.statusCode!,
                  body: Buffer.concat(chunks),
                  json: JSON.parse(Buffer.concat(chunks).toString()),
                  headers: r.headers,
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(Buffer.alloc(size, 1));
        });
      expect((await send('quota-test/a.bin', 8 * KIB)).status).toBe(200);
      const before = await graphDigest();
      const refused = await send('quota-test/b.bin', 8 * KIB);
      expect(refused.status).toBe(413);
      expect(refused.json.message).toMatch(/PEDIGREE_ARTIFACT_STORE_QUOTA_BYTES/);
      expect(await graphDigest()).toEqual(before);
      expect(servedFiles().filter((f) => f.startsWith('quota-test/'))).toEqual(['quota-test/a.bin']);
    } finally {
      await small.close();
    }
  });

  /**
   * Sends the headers of a large upload and a first slice of its body, then
   * waits: the refusal must arrive while the client is still sending, and the
   * server must close the connection instead of reading the rest.
   */
  function refusedBeforeBody(
    method: string,
    path: string,
    token: string | null,
  ): Promise<{ status: number; json: any; sent: number; closed: boolean }> {
    const declared = 64 * 1024 * KIB;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        'content-length': String(declared),
        'content-type': path.includes('mlflow-artifacts') ? 'application/octet-stream' : 'application/json',
      };
      if (token) headers.authorization = `Bearer ${token}`;
      const req = request({ host: base.hostname, port: base.port, method, path, headers, agent: false });
      const slice = Buffer.alloc(64 * KIB, 0x20);
      let sent = 0;
      const timer = setTimeout(() => {
        req.destroy();
        reject(
          new Error(
            `no answer to ${method} ${path} while the body was still being sent (${sent} of ${declared} bytes sent)`,
          ),
        );
      }, 15_000);
      req.on('error', () => undefined);
      req.on('response', (r) => {
        clearTimeout(timer);
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const socket = req.socket!;
          const done = (closed: boolean) => {
            req.destroy();
            resolve({ status: r.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()), sent, closed });
          };
          if (socket.destroyed || socket.readableEnded) return done(true);
          const closeTimer = setTimeout(() => done(false), 3_000);
          socket.once('end', () => (clearTimeout(closeTimer), done(true)));
          socket.once('close', () => (clearTimeout(closeTimer), done(true)));
        });
      });
      req.write(slice, () => (sent += slice.length));
    });
  }

  it("authenticates (and checks the role and the path's owner) before reading a body: refused while the client still sends, the rest never read", async () => {
    const { root } = await mlflowRun(alice);
    const cases: [string, string, string | null, number][] = [
      ['PUT', `${ART}/${root}/big.bin`, null, 401],
      ['PUT', `${ART}/${root}/big.bin`, viewer, 403],
      ['PUT', `${ART}/${root}/big.bin`, bob, 403],
      ['PUT', `${ART}/${root}/big.bin`, alice, 413],
      ['POST', '/api/2.0/mlflow/registered-models/create', null, 401],
      ['POST', '/api/2.0/mlflow/registered-models/create', viewer, 403],
      ['PATCH', '/api/2.0/mlflow/registered-models/update', 'pdg_not-a-token', 401],
      // Past the checks, a JSON body over PEDIGREE_MAX_BODY_BYTES is refused by its declared length, unread.
      ['POST', '/api/2.0/mlflow/registered-models/create', alice, 429],
      ['POST', '/api/2.0/mlflow/no-such/endpoint', null, 404],
      ['POST', '/graphql', null, 401],
    ];
    for (const [method, path, token, status] of cases) {
      const r = await refusedBeforeBody(method, path, token);
      expect({ method, path, token: token && token.slice(0, 8), status: r.status, closed: r.closed }).toEqual({
        method,
        path,
        token: token && token.slice(0, 8),
        status,
        closed: true,
      });
      expect(r.sent).toBeLessThan(64 * 1024 * KIB);
    }
    expect(servedFiles().filter((f) => f.startsWith(root))).toEqual([]);
  });

  it("GraphQL createModelVersion with an in-store source and a wrong checksum is CHECKSUM_MISMATCH and writes nothing, for every source form; MLflow's create refuses a wrong pedigree.checksum tag the same way", async () => {
    const { experimentId, runId, root } = await mlflowRun(alice);
    await put(alice, `${root}/model/w.bin`, 'weights');
    const lm = await mf(alice, 'POST', 'logged-models', { experiment_id: experimentId, source_run_id: runId });
    const modelId = lm.json.model.info.model_id as string;
    await put(alice, `${experimentId}/models/${modelId}/artifacts/MLmodel`, 'logged');
    const name = uniq('art-wrong');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } }, as(alice));
    const wrong = `sha256:${sha256('something else')}`;
    const before = await graphDigest();
    for (const source of [
      `runs:/${runId}/model`,
      `models:/${modelId}`,
      `mlflow-artifacts:/${root}/model`,
      `mlflow-artifacts:/${root}/model/w.bin`,
    ]) {
      const r = await gql(
        t.url,
        contractOp('CreateModelVersion'),
        { input: { modelName: name, source, checksum: wrong } },
        as(alice),
      );
      expect({ source, code: code(r) }).toEqual({ source, code: 'CHECKSUM_MISMATCH' });
      expect(r.errors![0]!.message).toMatch(/hash to sha256:/);
      const m = await mf(alice, 'POST', 'model-versions/create', {
        name,
        source,
        tags: [{ key: 'pedigree.checksum', value: wrong }],
      });
      expect({ source, status: m.status, code: m.json.error_code }).toEqual({
        source,
        status: 400,
        code: 'INVALID_PARAMETER_VALUE',
      });
    }
    // A source in the store with nothing there is refused as well.
    expect(
      code(
        await gql(
          t.url,
          contractOp('CreateModelVersion'),
          { input: { modelName: name, source: `mlflow-artifacts:/${root}/nothing`, checksum: wrong } },
          as(alice),
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(await graphDigest()).toEqual(before);
    // Nothing was sealed: the owner may still change the files.
    expect((await put(alice, `${root}/model/w.bin`, 'weights 2')).status).toBe(200);
    // The right checksum registers (and seals).
    const right = manifestDigest([{ path: 'w.bin', sha256: sha256('weights 2') }]);
    expect(
      (
        await gqlOk(
          t.url,
          contractOp('CreateModelVersion'),
          { input: { modelName: name, source: `runs:/${runId}/model`, checksum: right } },
          as(alice),
        )
      ).createModelVersion.checksum,
    ).toBe(right);
  });

  it('registering refuses while an upload under the source is in flight, and when a file no longer holds the bytes uploaded through the proxy', async () => {
    const { runId, root } = await mlflowRun(alice);
    await put(alice, `${root}/model/w.bin`, 'weights');
    await cypher("MATCH (f:ArtifactFile {path: $p}) SET f.pending = 'in-flight', f.pendingAt = timestamp()", {
      p: `${root}/model/w.bin`,
    });
    const racing = await registerMlflow(alice, `runs:/${runId}/model`);
    expect(racing.v.json.error_code).toBe('INVALID_STATE');
    expect(racing.v.json.message).toMatch(/in progress/);
    // (the model was created by the helper; the version was not)
    expect((await mf(alice, 'GET', 'model-versions/get', { name: racing.name, version: '1' })).status).toBe(404);
    // The upload done, the file then changes on disk: just after the upload it reads as an upload racing the
    // registration…
    await cypher('MATCH (f:ArtifactFile {path: $p}) REMOVE f.pending, f.pendingAt', { p: `${root}/model/w.bin` });
    writeFileSync(join(storeDir, ...`${root}/model/w.bin`.split('/')), 'swapped on disk');
    const raced = await registerMlflow(alice, `runs:/${runId}/model`);
    expect(raced.v.json.error_code).toBe('INVALID_STATE');
    expect(raced.v.json.message).toMatch(/changed while the version was being registered/);
    // …and an hour after it, as bytes changed behind the proxy's back.
    await cypher("MATCH (f:ArtifactFile {path: $p}) SET f.uploadedAt = datetime() - duration('PT1H')", {
      p: `${root}/model/w.bin`,
    });
    const swapped = await registerMlflow(alice, `runs:/${runId}/model`);
    expect(swapped.v.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(swapped.v.json.message).toMatch(/no longer holds the bytes uploaded/);
    expect((await cypher('MATCH (s:ArtifactSeal) WHERE s.path STARTS WITH $p RETURN s.path', { p: root })).length).toBe(
      0,
    );
  });

  it("migration 083 seals versions registered before seals existed (the first read verifies them against the version's checksum) and records experiments' creators", async () => {
    const { experimentId, runId, root } = await mlflowRun(alice);
    await put(alice, `${root}/old/w.bin`, 'old weights');
    await put(alice, `${root}/bad/w.bin`, 'bad weights');
    const good = await registerMlflow(alice, `runs:/${runId}/old`);
    const bad = await registerMlflow(alice, `runs:/${runId}/bad/`);
    // Make them look registered before migration 083: no seals.
    await cypher('MATCH (s:ArtifactSeal) WHERE s.path STARTS WITH $p DETACH DELETE s', { p: root });
    await cypher('MATCH (e:MlflowExperiment {id: $id}) REMOVE e.createdBy', { id: experimentId });
    const [migration] = loadMigrations().filter((m) => m.id === '083-artifacts');
    for (const statement of migration!.statements.filter((s) => s.startsWith('MATCH'))) await cypher(statement);
    const aliceName = (
      await cypher<{ by: string }>('MATCH (r:Run {id: $id}) RETURN r.createdBy AS by', { id: runId })
    )[0]!.by;
    expect(await cypher('MATCH (e:MlflowExperiment {id: $id}) RETURN e.createdBy AS by', { id: experimentId })).toEqual(
      [{ by: aliceName }],
    );
    const seals = await cypher<{ path: string; legacy: boolean; checksum: string }>(
      'MATCH (s:ArtifactSeal) WHERE s.path STARTS WITH $p RETURN s.path AS path, s.legacy AS legacy, s.checksum AS checksum ORDER BY path',
      { p: root },
    );
    expect(seals).toEqual([
      { path: `${root}/bad`, legacy: true, checksum: await checksumOf(bad.name) },
      { path: `${root}/old`, legacy: true, checksum: await checksumOf(good.name) },
    ]);
    // Write-once at once; verified on the first read.
    expect((await put(alice, `${root}/old/w.bin`, 'x')).json.error_code).toBe('INVALID_STATE');
    expect((await get(viewer, `${root}/old/w.bin`)).body.toString()).toBe('old weights');
    expect(
      await cypher('MATCH (s:ArtifactSeal {path: $p}) RETURN s.legacy AS legacy, s.checksum AS checksum', {
        p: `${root}/old/w.bin`,
      }),
    ).toEqual([{ legacy: null, checksum: `sha256:${sha256('old weights')}` }]);
    writeFileSync(join(storeDir, ...`${root}/bad/w.bin`.split('/')), 'bad weights, changed before the upgrade');
    const r = await get(viewer, `${root}/bad/w.bin`);
    expect(r.status).toBe(409);
    expect(r.json.message).toMatch(/do not match the checksum their version was registered with/);
    expect(readFileSync(join(storeDir, ...`${root}/bad/w.bin`.split('/')), 'utf8')).toContain('changed');
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { gqlOk, TEST_ADMIN_TOKEN, uniq, wsClient } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The real MLflow client (pinned in test/mlflow-client/requirements.txt,
 * installed by npm test's pretest into test/mlflow-client/.venv) runs an unchanged
 * MLflow script against Pedigree; then GraphQL must show what it did.
 */
const clientDir = resolve('test/mlflow-client');
const venvPython = join(clientDir, '.venv/bin/python');
const hasPython = spawnSync('python3', ['--version']).status === 0;

function runScript(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(venvPython, [join(clientDir, 'flow.py')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

describe.skipIf(!hasPython)('MLflow client against Pedigree', () => {
  let t: TestServer;
  let dataDir: string;
  beforeAll(async () => {
    if (!existsSync(venvPython)) {
      throw new Error(`${venvPython} is missing: run .ci/run (or: python3 -m venv test/mlflow-client/.venv && test/mlflow-client/.venv/bin/pip install -r test/mlflow-client/requirements.txt)`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-mlflow-'));
    // `champion` is protected by default (governance); this flow is MLflow's own, without a
    // promotion request, so the guard is off here. mlflow-api.e2e.test.ts checks the refusal.
    t = await startTestServer({ PEDIGREE_DATA_DIR: dataDir }, { withoutPromotionGuard: true });
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs, registers, aliases, loads and predicts through MLflow; GraphQL shows the lineage, alias history and audit log', async () => {
    const name = uniq('mlflow-doubler');
    const base = t.url.replace(/\/graphql$/, '');
    // A GraphQL subscriber watches the model's aliases while MLflow moves them.
    const ws = wsClient(t.url);
    const seen: { alias: string; previousVersion: number | null; version: number | null }[] = [];
    let allSeen: () => void = () => undefined;
    const fourMoves = new Promise<void>((res) => (allSeen = res));
    const unsubscribe = ws.subscribe<any>(
      { query: contractOp('AliasChanged'), variables: { modelName: name } },
      {
        next: (m) => {
          if (m.data?.aliasChanged) seen.push(m.data.aliasChanged);
          if (seen.length >= 4) allSeen();
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    const out = await runScript({ MLFLOW_TRACKING_URI: base, MODEL_NAME: name, EXPERIMENT_NAME: uniq('mlflow-exp'), MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_TRACKING_TOKEN: TEST_ADMIN_TOKEN });
    if (out.code !== 0) throw new Error(`flow.py exited ${out.code}\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr.slice(-6000)}`);
    const result = JSON.parse(out.stdout.trim().split('\n').pop()!) as { run_id: string; versions: string[]; aliases: Record<string, string>; prediction: number[]; loss_history: [number, number][] };
    expect(result.prediction).toEqual([2, 42]);
    // get_metric_history saw every step MLflow logged; GraphQL pages the same history.
    expect(result.loss_history).toEqual([
      [0, 0.5],
      [1, 0.25],
      [2, 0.125],
    ]);
    const run = (
      await gqlOk(t.url, 'query($id: ID!) { run(id: $id) { metricHistory(key: "loss") { totalCount edges { node { step value } } } } }', { id: result.run_id })
    ).run;
    expect(run.metricHistory.totalCount).toBe(3);
    expect(run.metricHistory.edges.map((e: any) => [e.node.step, e.node.value])).toEqual(result.loss_history);
    expect(result.aliases).toEqual({ champion: '1', challenger: '2' });

    await fourMoves;
    unsubscribe();
    await ws.dispose();
    expect(seen.map((e) => [e.alias, e.previousVersion, e.version])).toEqual([
      ['champion', null, 1],
      ['challenger', null, 2],
      ['champion', 1, 2],
      ['champion', 2, 1],
    ]);

    // The versions are Pedigree versions with a checksum Pedigree computed from its store.
    const v1 = (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 1 })).modelVersion;
    expect(v1.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(v1.aliases).toEqual(['champion']);
    expect(v1.tags).toEqual([]);

    // Lineage: version → run → dataset version (the logged input).
    const lineage = (await gqlOk(t.url, contractOp('Lineage'), { id: v1.id, direction: 'UPSTREAM' })).lineage;
    const kinds = lineage.nodes.map((n: { kind: string }) => n.kind);
    expect(kinds).toContain('Run');
    expect(kinds).toContain('DatasetVersion');
    expect(lineage.nodes.find((n: { kind: string; id: string }) => n.kind === 'Run').id).toBe(result.run_id);
    expect(lineage.edges.map((e: { relation: string }) => e.relation)).toEqual(expect.arrayContaining(['PRODUCED_BY', 'USED']));

    // Alias history of champion: 1, then 2, then back to 1.
    const history = (await gqlOk(t.url, contractOp('AliasHistory'), { modelName: name, alias: 'champion' })).aliasHistory.edges.map((e: any) => e.node);
    const moves = [...history].sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1)).map((n) => [n.previousVersion, n.version]);
    expect(moves).toEqual([
      [null, 1],
      [1, 2],
      [2, 1],
    ]);

    // The audit log has all of it, in order.
    const audit = (await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: name }, first: 100 })).auditLog.edges.map((e: any) => e.node);
    const types = [...audit].sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1)).map((n) => n.type);
    expect(types).toEqual([
      'MODEL_CREATED',
      'VERSION_CREATED',
      'VERSION_CREATED',
      'ALIAS_SET',
      'ALIAS_SET',
      'ALIAS_SET',
      'ALIAS_SET',
      'VERSION_TAG_SET',
      'VERSION_TAG_DELETED',
    ]);
  }, 300_000);
});

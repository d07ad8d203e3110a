import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
    const child = spawn(venvPython, [join(clientDir, 'flow.py')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      throw new Error(
        `${venvPython} is missing: run .ci/run (or: python3 -m venv test/mlflow-client/.venv && test/mlflow-client/.venv/bin/pip install -r test/mlflow-client/requirements.txt)`,
      );
    }
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-mlflow-'));
    // Governed, as an MLflow team would run it: only `production` is protected
    // (PEDIGREE_PROTECTED_ALIASES), so MLflow's own `champion` moves freely and a
    // prompt's `production` is a promotion. The webhook receiver listens on loopback.
    t = await startTestServer({
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_PROTECTED_ALIASES: 'production',
      PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true',
    });
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('webhooks, prompts, logging, registering, aliases, loading, copying through MLflow; GraphQL shows the lineage, prompts, alias history and audit log', async () => {
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
    const out = await runScript({
      MLFLOW_TRACKING_URI: base,
      MODEL_NAME: name,
      EXPERIMENT_NAME: uniq('mlflow-exp'),
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
      MLFLOW_TRACKING_TOKEN: TEST_ADMIN_TOKEN,
    });
    if (out.code !== 0)
      throw new Error(`flow.py exited ${out.code}\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr.slice(-6000)}`);
    const result = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      run_id: string;
      versions: string[];
      aliases: Record<string, string>;
      prediction: number[];
      loss_history: [number, number][];
      mlflow_version: string;
      prompt_name: string;
      copy_name: string;
      dataset_digest: string;
      deliveries: string[];
      protected_refusal: string;
    };
    expect(result.mlflow_version).toBe('3.18.0');
    // Every delivery the receiver got verified with MLflow's signature check (flow.py asserts it); these arrived.
    expect(result.deliveries).toEqual(
      expect.arrayContaining([
        'registered_model.created',
        'model_version.created',
        'model_version_alias.created',
        'prompt_version.created',
        'prompt_alias.created',
      ]),
    );
    // The refused prompt alias says which promotion to request, and where.
    expect(result.protected_refusal).toMatch(/PERMISSION_DENIED/);
    expect(result.protected_refusal).toMatch(
      /requestPromotion\(ref: \{ modelName: ".*-prompt", version: 2 \}, target: \{ alias: "production" \}/,
    );
    expect(result.protected_refusal).toContain(`${base}/graphql`);
    expect(result.protected_refusal).toContain(`${base}/#/models/${encodeURIComponent(result.prompt_name)}`);
    expect(result.prediction).toEqual([2, 42]);
    // get_metric_history saw every step MLflow logged; GraphQL pages the same history.
    expect(result.loss_history).toEqual([
      [0, 0.5],
      [1, 0.25],
      [2, 0.125],
    ]);
    const run = (
      await gqlOk(
        t.url,
        'query($id: ID!) { run(id: $id) { metricHistory(key: "loss") { totalCount edges { node { step value } } } } }',
        { id: result.run_id },
      )
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
    expect(lineage.edges.map((e: { relation: string }) => e.relation)).toEqual(
      expect.arrayContaining(['PRODUCED_BY', 'USED']),
    );

    // Alias history of champion: 1, then 2, then back to 1.
    const history = (
      await gqlOk(t.url, contractOp('AliasHistory'), { modelName: name, alias: 'champion' })
    ).aliasHistory.edges.map((e: any) => e.node);
    const moves = [...history]
      .sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1))
      .map((n) => [n.previousVersion, n.version]);
    expect(moves).toEqual([
      [null, 1],
      [1, 2],
      [2, 1],
    ]);

    // The prompt is a registered model of kind PROMPT: versions are templates, with their
    // alias history, and the production move that was refused left no trace.
    const prompt = (
      await gqlOk(
        t.url,
        `query($name: String!) { registeredModel(name: $name) { kind tags { key value } versions(first: 10) { edges { node { version checksum promptTemplate aliases } } } } }`,
        { name: result.prompt_name },
      )
    ).registeredModel;
    expect(prompt.kind).toBe('PROMPT');
    expect(prompt.tags).toEqual(expect.arrayContaining([{ key: 'reviewed', value: 'yes' }]));
    const promptVersions = prompt.versions.edges
      .map((e: any) => e.node)
      .sort((a: any, b: any) => a.version - b.version);
    expect(promptVersions.map((v: any) => [v.version, v.promptTemplate, v.aliases])).toEqual([
      [1, 'Double {{x}}.', []],
      [2, 'Double {{x}}, exactly.', ['candidate']],
    ]);
    // A prompt version's checksum is its template's sha256, computed by Pedigree.
    expect(promptVersions[1].checksum).toBe(
      `sha256:${createHash('sha256').update('Double {{x}}, exactly.').digest('hex')}`,
    );
    const promptAliases = (
      await gqlOk(t.url, contractOp('AliasHistory'), { modelName: result.prompt_name, alias: 'candidate' })
    ).aliasHistory.edges.map((e: any) => e.node.version);
    expect(promptAliases).toEqual([2]);
    expect(
      (
        await gqlOk(t.url, contractOp('AliasAt'), {
          modelName: result.prompt_name,
          alias: 'candidate',
          at: new Date().toISOString(),
        })
      ).aliasAt.version,
    ).toBe(2);
    expect(
      (await gqlOk(t.url, contractOp('AliasHistory'), { modelName: result.prompt_name, alias: 'production' }))
        .aliasHistory.edges,
    ).toEqual([]);
    // MLflow's model search does not see prompts; GraphQL filters by kind.
    const prompts = (
      await gqlOk(
        t.url,
        'query($q: String!) { registeredModels(first: 5, filter: { nameContains: $q, kind: PROMPT }) { edges { node { name } } } }',
        { q: name },
      )
    ).registeredModels;
    expect(prompts.edges.map((e: any) => e.node.name)).toEqual([result.prompt_name]);

    // The model was logged with the prompt: its versions use prompt version 2 (USES_PROMPT),
    // and a prediction's trace shows that prompt version and the logged dataset by its digest.
    const uses = (
      await gqlOk(
        t.url,
        `query($n: String!) { modelVersion(modelName: $n, version: 1) { usesPrompts { model { name kind } version } } }`,
        { n: name },
      )
    ).modelVersion;
    expect(uses.usesPrompts).toEqual([{ model: { name: result.prompt_name, kind: 'PROMPT' }, version: 2 }]);
    const predictionId = uniq('mlflow-pred');
    await gqlOk(t.url, contractOp('LogPredictions'), {
      input: { model: { modelName: name, alias: 'champion' }, predictions: [{ id: predictionId }] },
    });
    const trace = (
      await gqlOk(
        t.url,
        `query($id: String!) { tracePrediction(id: $id) { modelVersion { version } run { id } datasets { version hash } promptVersions { model { name } version promptTemplate } } }`,
        { id: predictionId },
      )
    ).tracePrediction;
    expect(trace.modelVersion.version).toBe(1);
    expect(trace.run.id).toBe(result.run_id);
    expect(trace.datasets).toEqual([{ version: result.dataset_digest, hash: result.dataset_digest }]);
    expect(trace.promptVersions).toEqual([
      { model: { name: result.prompt_name }, version: 2, promptTemplate: 'Double {{x}}, exactly.' },
    ]);

    // copy_model_version: a new version of the copy model, COPIED_FROM the original, same checksum, not promoted.
    const copy = (
      await gqlOk(
        t.url,
        `query($n: String!) { modelVersion(modelName: $n, version: 1) { stage checksum aliases copiedFrom { model { name } version checksum } run { id } } }`,
        { n: result.copy_name },
      )
    ).modelVersion;
    expect(copy.copiedFrom).toEqual({ model: { name }, version: 1, checksum: v1.checksum });
    expect([copy.stage, copy.checksum, copy.aliases, copy.run.id]).toEqual([
      'DEVELOPMENT',
      v1.checksum,
      [],
      result.run_id,
    ]);

    // The webhook's life is in the audit log (an ADMIN sees it; it was deleted at the end).
    const hookEvents = (
      await gqlOk(t.url, contractOp('AuditLog'), {
        filter: { types: ['WEBHOOK_CREATED', 'WEBHOOK_UPDATED', 'WEBHOOK_DELETED'] },
        first: 100,
      })
    ).auditLog.edges.map((e: any) => e.node.type);
    expect(hookEvents).toEqual(expect.arrayContaining(['WEBHOOK_CREATED', 'WEBHOOK_UPDATED', 'WEBHOOK_DELETED']));

    // The audit log has all of it, in order.
    const audit = (
      await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: name }, first: 100 })
    ).auditLog.edges.map((e: any) => e.node);
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
      // The test's own prediction, logged through GraphQL to trace it to the prompt version.
      'PREDICTIONS_LOGGED',
    ]);
  }, 300_000);
});

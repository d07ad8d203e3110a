import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { gqlOk, sha, uniq } from '../support/graphql.js';
import { baseOf, createToken } from '../support/openlineage.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The real OpenLineage Python client (openlineage-python, pinned in
 * test/openlineage-client/requirements.txt and installed by npm test's
 * pretest) reports a small pipeline to a running Pedigree with a
 * CONTRIBUTOR's token; then a GraphQL trace from a prediction reaches the raw
 * landing file through it, and the clean table's impact reaches the model.
 */
const clientDir = resolve('test/openlineage-client');
const venvPython = join(clientDir, '.venv/bin/python');
const hasPython = spawnSync('python3', ['--version']).status === 0;

function runFlow(
  env: Record<string, string>,
  script = join(clientDir, 'flow.py'),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(venvPython, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A stuck client must fail the test with its output, not hang it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!hasPython)('the OpenLineage Python client against Pedigree', () => {
  let t: TestServer;
  beforeAll(async () => {
    if (!existsSync(venvPython))
      throw new Error(`${venvPython} is missing: run bash test/openlineage-client/setup.sh (npm test's pretest does)`);
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('feeds an ETL run, a failing run and a training run; a prediction traces back to the raw landing file', async () => {
    const prefix = uniq('olc');
    // The model version is registered before the pipeline reports: the training run's COMPLETE links it.
    const modelName = uniq('fraud');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: modelName } });
    const version = (
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName, source: `s3://${prefix}-models/fraud/1`, checksum: sha('f') },
      })
    ).createModelVersion;

    const token = await createToken(t.url, 'CONTRIBUTOR');
    const out = await runFlow({ OPENLINEAGE_URL: baseOf(t.url), OPENLINEAGE_API_KEY: token, PREFIX: prefix });
    if (out.code !== 0)
      throw new Error(`flow.py exited ${out.code}\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr.slice(-6000)}`);
    const ids = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      dag: string;
      etl: string;
      failed: string;
      train: string;
    };

    const runs = await gqlOk(
      t.url,
      `query($etl: ID!, $failed: ID!, $train: ID!) {
          etl: run(id: $etl) { status codeRepo codeCommit job { namespace name } parent { id } }
          failed: run(id: $failed) { status errorMessage }
          train: run(id: $train) { status inputs { datasetVersion { id version dataset { name } producedBy { id } } } }
        }`,
      ids,
    );
    expect(runs.etl).toEqual({
      status: 'FINISHED',
      codeRepo: 'https://git.example.com/etl.git',
      codeCommit: '4f2c1ab',
      job: { namespace: `${prefix}-airflow`, name: 'daily.clean_transactions' },
      parent: { id: ids.dag },
    });
    expect(runs.failed).toEqual({ status: 'FAILED', errorMessage: 'enrichment service unavailable' });
    const [input] = runs.train.inputs;
    expect(input.datasetVersion).toMatchObject({
      version: 'v1',
      dataset: { name: `s3://${prefix}-warehouse/clean_transactions` },
      producedBy: { id: ids.etl },
    });

    // The failing run produced no version of its output.
    const enriched = await gqlOk(
      t.url,
      'query($id: ID!) { lineage(id: $id, direction: DOWNSTREAM) { nodes { kind } } }',
      { id: ids.failed },
    );
    expect(enriched.lineage.nodes).toEqual([]);

    // The registered version's training run is the pipeline's, so a prediction traces to the raw landing URI.
    const linked = (
      await gqlOk(
        t.url,
        'query($m: String!, $v: Int!) { modelVersion(modelName: $m, version: $v) { run { id } fingerprint } }',
        { m: modelName, v: version.version },
      )
    ).modelVersion;
    expect(linked.run.id).toBe(ids.train);
    expect(linked.fingerprint).toMatch(/^sha256:/);
    const predictionId = uniq('pred');
    await gqlOk(t.url, contractOp('LogPredictions'), {
      input: { model: { modelName, version: version.version }, predictions: [{ id: predictionId }] },
    });
    const trace = (await gqlOk(t.url, contractOp('TracePrediction'), { id: predictionId })).tracePrediction;
    expect(trace.run.id).toBe(ids.train);
    expect(trace.datasets.map((d: { id: string; version: string }) => [d.id, d.version])).toEqual([
      [input.datasetVersion.id, 'v1'],
    ]);
    expect(trace.sources.map((s: { uri: string }) => s.uri)).toEqual([
      `s3://${prefix}-landing/transactions/2025-06-01.csv`,
    ]);

    const impact = (await gqlOk(t.url, contractOp('DatasetImpact'), { datasetVersionId: input.datasetVersion.id }))
      .datasetImpact;
    expect(
      impact.modelVersions.map((m: { model: { name: string }; version: number }) => [m.model.name, m.version]),
    ).toEqual([[modelName, version.version]]);
  }, 240_000);

  it("runs the README's Python example as written", async () => {
    const readme = readFileSync(resolve('README.md'), 'utf8');
    const block = /```python\n(# openlineage_example\.py[\s\S]*?)```/.exec(readme);
    if (!block) throw new Error('README.md has no ```python block starting with "# openlineage_example.py"');
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-ol-readme-'));
    try {
      const script = join(dir, 'openlineage_example.py');
      writeFileSync(script, block[1]!);
      const token = await createToken(t.url, 'CONTRIBUTOR');
      const out = await runFlow({ OPENLINEAGE_URL: baseOf(t.url), OPENLINEAGE_API_KEY: token }, script);
      if (out.code !== 0)
        throw new Error(`the README example exited ${out.code}\n--- stderr\n${out.stderr.slice(-4000)}`);
      const runId = out.stdout.trim().split('\n').pop()!;
      const run = (
        await gqlOk(
          t.url,
          'query($id: ID!) { run(id: $id) { status job { namespace name } lineageInputs { dataset } } }',
          { id: runId },
        )
      ).run;
      expect(run).toEqual({
        status: 'FINISHED',
        job: { namespace: 'etl', name: 'clean_transactions' },
        lineageInputs: [{ dataset: 's3://landing/transactions/2025-06-01.csv' }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

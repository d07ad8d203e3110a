import { testDriver } from '../support/neo4j.js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { graphDigest } from '../support/graph-digest.js';
import { gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { baseOf, createToken, facet, newRunId, postLineage, runEvent } from '../support/openlineage.js';
import { promoteToProduction } from '../support/provenance-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * OpenLineage ingestion through a listening server: POST /api/v1/lineage with
 * Pedigree's own fixtures (test/support/openlineage.ts), then the graph as
 * GraphQL shows it. The real Python client drives the same endpoint in
 * openlineage-client.e2e.test.ts.
 */

const RUN_FIELDS = `id name status startedAt endedAt codeRepo codeCommit createdBy
  job { namespace name } parent { id name } facets processingEngine processingEngineVersion nominalStartTime errorMessage environmentVariableNames
  inputs { role datasetVersion { id version dataset { name } } } lineageInputs { dataset version }`;
const DV_FIELDS = `id version uri rowCount dataset { name } producedBy { id name }
  columnLineage { field inputFields { dataset field transformations { type } datasetVersion { id version } dataSource { uri } } }
  facets schema dataSource { name uri } owners { name type } qualityMetrics`;

// Each test writes and reads a whole pipeline: on a loaded 2-core machine that outlasts the default 60 s.
describe('OpenLineage ingestion (POST /api/v1/lineage)', { timeout: 240_000 }, () => {
  let t: TestServer;
  let base: string;
  let contributor: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestServer();
    base = baseOf(t.url);
    contributor = await createToken(t.url, 'CONTRIBUTOR');
    viewer = await createToken(t.url, 'VIEWER');
  });
  afterAll(async () => {
    await t?.close();
  });

  const runQuery = async (id: string) =>
    (await gqlOk(t.url, `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id })).run;
  const dvQuery = async (id: string) =>
    (await gqlOk(t.url, `query($id: ID!) { datasetVersion(id: $id) { ${DV_FIELDS} } }`, { id })).datasetVersion;
  const ok = async (body: unknown, token = contributor) => {
    const r = await postLineage(base, body, { token });
    if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  it('feeds a pipeline: raw landing → clean (version facet) → training run whose output is a model version source; the prediction traces to the raw URI and the clean version impacts the model', async () => {
    const p = uniq('pipe');
    const landing = { namespace: `s3://${p}-landing`, name: 'tx/2025-01-01.csv' };
    const clean = { namespace: `s3://${p}-warehouse`, name: 'clean_tx' };
    const models = { namespace: `s3://${p}-models`, name: 'fraud/1' };
    const etl = newRunId();
    const dag = newRunId();
    const etlJob = { namespace: `${p}-airflow`, name: 'etl.clean_tx' };
    const parentFacet = facet(
      { run: { runId: dag }, job: { namespace: `${p}-airflow`, name: 'etl' } },
      'ParentRunFacet',
    );
    await ok(
      runEvent({
        runId: etl,
        job: etlJob,
        eventType: 'START',
        eventTime: '2025-01-01T01:00:00Z',
        inputs: [landing],
        runFacets: { parent: parentFacet },
      }),
    );
    const done = await ok(
      runEvent({
        runId: etl,
        job: {
          ...etlJob,
          facets: {
            sourceCodeLocation: facet(
              {
                type: 'git',
                url: 'https://git.example.com/etl/blob/abc123/clean.py',
                repoUrl: 'https://git.example.com/etl.git',
                version: 'abc123',
              },
              'SourceCodeLocationJobFacet',
            ),
          },
        },
        eventType: 'COMPLETE',
        eventTime: '2025-01-01T01:05:00Z',
        runFacets: {
          parent: parentFacet,
          processing_engine: facet({ name: 'Airflow', version: '2.10.0' }, 'ProcessingEngineRunFacet'),
          nominalTime: facet({ nominalStartTime: '2025-01-01T01:00:00Z' }, 'NominalTimeRunFacet'),
          'environment-variables': facet(
            {
              environmentVariables: [
                { name: 'AWS_SECRET_ACCESS_KEY', value: 'very-secret-value' },
                { name: 'STAGE', value: 'prod' },
              ],
            },
            'EnvironmentVariablesRunFacet',
          ),
          spark_unknown: facet({ note: 'kept as JSON' }),
        },
        inputs: [landing],
        outputs: [
          {
            ...clean,
            version: 'v1',
            facets: {
              schema: facet(
                {
                  fields: [
                    { name: 'id', type: 'BIGINT' },
                    { name: 'amount', type: 'DOUBLE' },
                  ],
                },
                'SchemaDatasetFacet',
              ),
              dataSource: facet({ name: 'warehouse', uri: `s3://${p}-warehouse` }, 'DatasourceDatasetFacet'),
              ownership: facet({ owners: [{ name: 'team:risk', type: 'MAINTAINER' }] }, 'OwnershipDatasetFacet'),
              dataQualityMetrics: facet(
                { rowCount: 1200, columnMetrics: { amount: { nullCount: 0 } } },
                'DataQualityMetricsDatasetFacet',
              ),
            },
          },
        ],
      }),
    );
    expect(done).toMatchObject({
      status: 'success',
      runId: etl,
      changed: true,
      outputs: [{ dataset: `s3://${p}-warehouse/clean_tx`, version: 'v1' }],
    });
    const cleanId: string = done.outputs[0].id;

    // A model version registered BEFORE the training run reports: linked when its COMPLETE arrives.
    const modelName = uniq('fraud');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: modelName } });
    const v1 = (
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName, source: `s3://${p}-models/fraud/1`, checksum: sha('b') },
      })
    ).createModelVersion;
    const train = newRunId();
    const trainJob = { namespace: `${p}-ml`, name: 'train.fraud' };
    await ok(
      runEvent({
        runId: train,
        job: trainJob,
        eventType: 'START',
        eventTime: '2025-01-01T02:00:00Z',
        inputs: [{ ...clean, version: 'v1' }],
      }),
    );
    const trained = await ok(
      runEvent({
        runId: train,
        job: trainJob,
        eventType: 'COMPLETE',
        eventTime: '2025-01-01T02:30:00Z',
        inputs: [{ ...clean, version: 'v1' }],
        outputs: [models],
      }),
    );
    expect(trained.linkedModelVersions).toEqual([{ modelName, version: v1.version }]);

    // A version registered AFTER the run that wrote its source: linked at registration.
    const later = newRunId();
    await ok(
      runEvent({
        runId: later,
        job: trainJob,
        eventType: 'COMPLETE',
        eventTime: '2025-01-02T02:30:00Z',
        inputs: [clean],
        outputs: [{ namespace: `s3://${p}-models`, name: 'fraud/2' }],
      }),
    );
    const v2 = (
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName, source: `s3://${p}-models/fraud/2`, checksum: sha('c') },
      })
    ).createModelVersion;

    const versions = (
      await gqlOk(
        t.url,
        'query($m: String!) { registeredModel(name: $m) { versions(first: 10) { edges { node { version fingerprint run { id } } } } } }',
        { m: modelName },
      )
    ).registeredModel.versions.edges.map((e: any) => e.node);
    expect(versions.find((v: any) => v.version === v1.version).run.id).toBe(train);
    expect(versions.find((v: any) => v.version === v2.version).run.id).toBe(later);
    expect(versions.every((v: any) => /^sha256:/.test(v.fingerprint))).toBe(true);

    // A prediction on the version traces back to the raw landing URI, through the clean version.
    const predictionId = uniq('pred');
    await gqlOk(t.url, contractOp('LogPredictions'), {
      input: { model: { modelName, version: v1.version }, predictions: [{ id: predictionId }] },
    });
    const trace = (await gqlOk(t.url, contractOp('TracePrediction'), { id: predictionId })).tracePrediction;
    expect(trace.run.id).toBe(train);
    expect(trace.datasets.map((d: any) => [d.id, d.version])).toEqual([[cleanId, 'v1']]);
    expect(trace.sources.map((s: any) => s.uri)).toEqual([`s3://${p}-landing/tx/2025-01-01.csv`]);

    // datasetImpact of the clean version reaches both model versions.
    const impact = (await gqlOk(t.url, contractOp('DatasetImpact'), { datasetVersionId: cleanId })).datasetImpact;
    expect(impact.modelVersions.map((v: any) => [v.model.name, v.version])).toEqual([
      [modelName, v1.version],
      [modelName, v2.version],
    ]);

    // Lineage shows the job's run between the datasets: clean -PRODUCED_BY-> run -USED-> raw source.
    const lineage = (await gqlOk(t.url, contractOp('Lineage'), { id: cleanId, direction: 'UPSTREAM', depth: 2 }))
      .lineage;
    expect(lineage.nodes.map((n: any) => [n.kind, n.label])).toEqual(
      expect.arrayContaining([
        ['Run', 'etl.clean_tx'],
        ['DataSource', `s3://${p}-landing/tx/2025-01-01.csv`],
      ]),
    );
    expect(lineage.edges).toEqual(expect.arrayContaining([{ from: cleanId, to: etl, relation: 'PRODUCED_BY' }]));

    // Facets mapped onto the run and the dataset version.
    const run = await runQuery(etl);
    expect(run).toMatchObject({
      name: 'etl.clean_tx',
      status: 'FINISHED',
      startedAt: '2025-01-01T01:00:00.000Z',
      endedAt: '2025-01-01T01:05:00.000Z',
      codeRepo: 'https://git.example.com/etl.git',
      codeCommit: 'abc123',
      job: etlJob,
      parent: { id: dag, name: 'etl' },
      processingEngine: 'Airflow',
      processingEngineVersion: '2.10.0',
      nominalStartTime: '2025-01-01T01:00:00Z',
      environmentVariableNames: ['AWS_SECRET_ACCESS_KEY', 'STAGE'],
      createdBy: expect.any(String),
      lineageInputs: [{ dataset: `s3://${p}-landing/tx/2025-01-01.csv`, version: null }],
    });
    expect(run.facets.spark_unknown.note).toBe('kept as JSON');
    // Values of environment variables are never stored.
    expect(JSON.stringify(run.facets)).not.toContain('very-secret-value');
    const dv = await dvQuery(cleanId);
    expect(dv).toMatchObject({
      version: 'v1',
      uri: `s3://${p}-warehouse/clean_tx`,
      rowCount: 1200,
      producedBy: { id: etl, name: 'etl.clean_tx' },
      schema: [
        { name: 'id', type: 'BIGINT' },
        { name: 'amount', type: 'DOUBLE' },
      ],
      dataSource: { name: 'warehouse', uri: `s3://${p}-warehouse` },
      owners: [{ name: 'team:risk', type: 'MAINTAINER' }],
      qualityMetrics: { rowCount: 1200 },
    });
    // The DAG run named as parent exists as a placeholder run of its job until its own events arrive.
    const runs = (
      await gqlOk(t.url, 'query($job: JobRefInput!) { runs(job: $job) { totalCount edges { node { id status } } } }', {
        job: { namespace: `${p}-airflow`, name: 'etl' },
      })
    ).runs;
    expect(runs).toMatchObject({ totalCount: 1, edges: [{ node: { id: dag, status: 'RUNNING' } }] });
  });

  it('a training run that read a raw file directly: the trace reaches the file and the file impacts the model', async () => {
    const p = uniq('direct');
    const raw = { namespace: `gs://${p}-landing`, name: 'features.parquet' };
    const train = newRunId();
    await ok(
      runEvent({
        runId: train,
        job: { namespace: `${p}-ml`, name: 'train' },
        eventType: 'COMPLETE',
        inputs: [raw],
        outputs: [{ namespace: `gs://${p}-models`, name: 'm/1' }],
      }),
    );
    const modelName = uniq('direct');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: modelName } });
    const v = (
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName, source: `gs://${p}-models/m/1`, checksum: sha('9') },
      })
    ).createModelVersion;
    const predictionId = uniq('pred');
    await gqlOk(t.url, contractOp('LogPredictions'), {
      input: { model: { modelName, version: v.version }, predictions: [{ id: predictionId }] },
    });
    const trace = (
      await gqlOk(
        t.url,
        'query($id: String!) { tracePrediction(id: $id) { run { id } datasets { id } sources { id uri depth modelDepth } } }',
        { id: predictionId },
      )
    ).tracePrediction;
    expect(trace.run.id).toBe(train);
    expect(trace.datasets).toEqual([]);
    expect(trace.sources).toEqual([
      { id: expect.any(String), uri: `gs://${p}-landing/features.parquet`, depth: 1, modelDepth: 0 },
    ]);
    const impact = (await gqlOk(t.url, contractOp('DatasetImpact'), { datasetVersionId: trace.sources[0].id }))
      .datasetImpact;
    expect(impact.modelVersions.map((m: any) => [m.model.name, m.version])).toEqual([[modelName, v.version]]);
  });

  it('a producer reporting late takes over the references that waited for it (raw sources until then)', async () => {
    const ns = `s3://${uniq('late')}`;
    const job = (name: string) => ({ namespace: 'late', name });
    const consumer = newRunId();
    const c = await ok(
      runEvent({
        runId: consumer,
        job: job('consume'),
        eventType: 'COMPLETE',
        eventTime: '2025-08-01T10:00:00Z',
        inputs: [
          { namespace: ns, name: 'clean' },
          { namespace: ns, name: 'pinned', version: 'v9' },
        ],
        outputs: [{ namespace: ns, name: 'report' }],
      }),
    );
    const report = c.outputs[0].id;
    const inputsOf = async () =>
      ((await runQuery(consumer)).inputs as any[])
        .map((i) => `${i.datasetVersion.dataset.name}@${i.datasetVersion.version}`)
        .sort();
    const sourcesOf = async () =>
      (
        await gqlOk(
          t.url,
          'query($id: ID!) { lineage(id: $id, direction: UPSTREAM, depth: 1, relations: ["DERIVED_FROM"]) { nodes { kind label } } }',
          { id: report },
        )
      ).lineage.nodes
        .map((n: any) => `${n.kind}:${n.label}`)
        .sort();
    expect(await inputsOf()).toEqual([]);
    expect(await sourcesOf()).toEqual([`DataSource:${ns}/clean`, `DataSource:${ns}/pinned`]);

    const produce = async (runId: string, at: string, name: string, version?: string) =>
      ok(
        runEvent({
          runId,
          job: job(`produce-${name}`),
          eventType: 'COMPLETE',
          eventTime: at,
          outputs: [{ namespace: ns, name, ...(version ? { version } : {}) }],
        }),
      );
    const early = newRunId();
    await produce(early, '2025-08-01T09:00:00Z', 'clean');
    await produce(newRunId(), '2025-08-01T09:30:00Z', 'pinned', 'v9');
    expect(await inputsOf()).toEqual([`${ns}/clean@${early}`, `${ns}/pinned@v9`]);
    expect(await sourcesOf()).toEqual([`DatasetVersion:${ns}/clean@${early}`, `DatasetVersion:${ns}/pinned@v9`]);
    // The raw sources made for the waiting references are gone: nothing points at them any more.
    const driver = testDriver();
    try {
      const left = await driver.executeQuery('MATCH (s:DataSource) WHERE s.uri IN $uris RETURN count(s) AS n', {
        uris: [`${ns}/clean`, `${ns}/pinned`],
      });
      expect(left.records[0]!.get('n').toNumber()).toBe(0);
    } finally {
      await driver.close();
    }

    // A version produced after the consumer ended does not change what it read; a newer one before it did.
    await produce(newRunId(), '2025-08-01T11:00:00Z', 'clean');
    expect(await inputsOf()).toContain(`${ns}/clean@${early}`);
    const later = newRunId();
    await produce(later, '2025-08-01T09:45:00Z', 'clean');
    expect(await inputsOf()).toEqual([`${ns}/clean@${later}`, `${ns}/pinned@v9`]);
  });

  it('FAIL and ABORT record the run and its inputs but no output version; the error message is mapped', async () => {
    const p = uniq('fail');
    const runId = newRunId();
    const job = { namespace: `${p}-jobs`, name: 'broken' };
    await ok(
      runEvent({
        runId,
        job,
        eventType: 'START',
        eventTime: '2025-02-01T00:00:00Z',
        inputs: [{ namespace: `s3://${p}`, name: 'in' }],
      }),
    );
    const r = await ok(
      runEvent({
        runId,
        job,
        eventType: 'FAIL',
        eventTime: '2025-02-01T00:01:00Z',
        runFacets: {
          errorMessage: facet(
            { message: 'Table not found: x', programmingLanguage: 'PYTHON', stackTrace: 'Traceback…' },
            'ErrorMessageRunFacet',
          ),
        },
        outputs: [{ namespace: `s3://${p}`, name: 'out' }],
      }),
    );
    expect(r).toMatchObject({ status: 'success', runStatus: 'FAILED', outputs: [] });
    const run = await runQuery(runId);
    expect(run).toMatchObject({
      status: 'FAILED',
      errorMessage: 'Table not found: x',
      endedAt: '2025-02-01T00:01:00.000Z',
    });
    const out = await gqlOk(t.url, '{ __typename }');
    expect(out).toBeTruthy();
    const kept = (
      await gqlOk(t.url, 'query($id: ID!) { lineage(id: $id, direction: DOWNSTREAM) { nodes { kind } } }', {
        id: runId,
      })
    ).lineage.nodes;
    expect(kept).toEqual([]);

    const aborted = newRunId();
    expect(
      await ok(
        runEvent({ runId: aborted, job, eventType: 'ABORT', outputs: [{ namespace: `s3://${p}`, name: 'out' }] }),
      ),
    ).toMatchObject({ runStatus: 'KILLED', outputs: [] });
  });

  it('authenticates before reading the body: no token 401, a viewer 403, and neither writes anything', async () => {
    const body = runEvent({ runId: newRunId(), job: { namespace: 'auth', name: uniq('job') } });
    const before = await graphDigest();
    const none = await postLineage(base, null, { token: null, raw: '{this is not even json' });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    const bad = await postLineage(base, body, { token: 'pdg_not-a-real-token' });
    expect(bad.status).toBe(401);
    const asViewer = await postLineage(base, body, { token: viewer });
    expect(asViewer.status).toBe(403);
    expect(asViewer.body.error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await postLineage(base, [body], { token: viewer, batch: true })).status).toBe(403);
    expect(await graphDigest()).toEqual(before);
    expect((await postLineage(base, body, { token: contributor })).status).toBe(200);
  });

  it('refuses bad input with a clear 4xx naming the field, and writes nothing', async () => {
    const job = { namespace: 'bad', name: uniq('job') };
    const good = () =>
      runEvent({
        runId: newRunId(),
        job,
        eventType: 'COMPLETE',
        outputs: [{ namespace: 's3://bad', name: uniq('o') }],
      });
    const withoutRunId = good();
    delete (withoutRunId.run as Record<string, unknown>).runId;
    const cases: [string, () => Promise<{ status: number; body: any }>, number, string | RegExp][] = [
      [
        'malformed JSON',
        () => postLineage(base, null, { token: contributor, raw: '{"eventType": "START", ' }),
        400,
        /not valid JSON/,
      ],
      ['a missing runId', () => postLineage(base, withoutRunId, { token: contributor }), 400, 'run.runId is required'],
      [
        'an unknown eventType',
        () => postLineage(base, { ...good(), eventType: 'FINISHED' }, { token: contributor }),
        400,
        /^eventType must be one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER/,
      ],
      [
        'a runId that is not a UUID',
        () => postLineage(base, { ...good(), run: { runId: 'run-1' } }, { token: contributor }),
        400,
        /^run\.runId must be a UUID/,
      ],
      [
        'a facet without _producer',
        () =>
          postLineage(
            base,
            {
              ...good(),
              run: {
                runId: newRunId(),
                facets: { nominalTime: { nominalStartTime: '2025-01-01T00:00:00Z', _schemaURL: 'https://x/y' } },
              },
            },
            { token: contributor },
          ),
        400,
        'run.facets.nominalTime._producer is required',
      ],
      [
        'a bad version facet',
        () =>
          postLineage(
            base,
            {
              ...good(),
              outputs: [{ namespace: 's3://bad', name: 'x', facets: { version: facet({ datasetVersion: 7 }) } }],
            },
            { token: contributor },
          ),
        400,
        /^outputs\[0\]\.facets\.version\.datasetVersion must be a string/,
      ],
      [
        'an event of no kind',
        () =>
          postLineage(
            base,
            { eventTime: '2025-01-01T00:00:00Z', producer: 'https://x', schemaURL: 'https://y' },
            { token: contributor },
          ),
        400,
        /RunEvent .* JobEvent .* DatasetEvent/,
      ],
      [
        'a bad eventTime',
        () => postLineage(base, { ...good(), eventTime: 'yesterday' }, { token: contributor }),
        400,
        /^eventTime must be an RFC 3339 date-time/,
      ],
      [
        'a 5 MB event',
        () =>
          postLineage(
            base,
            { ...good(), run: { runId: newRunId(), facets: { big: facet({ blob: 'x'.repeat(5 * 1024 * 1024) }) } } },
            { token: contributor },
          ),
        413,
        /limited to/,
      ],
      [
        '10,000 outputs in one event',
        () =>
          postLineage(
            base,
            {
              ...good(),
              outputs: Array.from({ length: 10_000 }, (_, i) => ({ namespace: 's3://bad', name: `o${i}` })),
            },
            { token: contributor },
          ),
        413,
        'outputs has 10000 entries; one event carries at most 1000',
      ],
      [
        'a body that is not JSON',
        () =>
          postLineage(base, null, {
            token: contributor,
            raw: 'eventType=START',
            headers: { 'content-type': 'text/plain' },
          }),
        415,
        /must be JSON/,
      ],
    ];
    for (const [what, send, status, message] of cases) {
      const before = await graphDigest();
      const r = await send();
      expect({ what, status: r.status }).toEqual({ what, status });
      if (typeof message === 'string') expect(r.body.error.message, what).toBe(message);
      else expect(r.body.error.message, what).toMatch(message);
      expect(await graphDigest(), what).toEqual(before);
    }
    const missing = await postLineage(base, withoutRunId, { token: contributor });
    expect(missing.body.error).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'run.runId is required',
      field: 'run.runId',
    });
  });

  it('a batch is all or nothing: one bad event refuses the whole batch, naming its index', async () => {
    const job = { namespace: 'batch', name: uniq('job') };
    const a = newRunId();
    const events = [
      runEvent({ runId: a, job, eventType: 'START', eventTime: '2025-03-01T00:00:00Z' }),
      runEvent({
        runId: a,
        job,
        eventType: 'COMPLETE',
        eventTime: '2025-03-01T00:01:00Z',
        outputs: [{ namespace: 's3://batch', name: uniq('out') }],
      }),
      { ...runEvent({ runId: newRunId(), job }), eventType: 'BOGUS' },
    ];
    const before = await graphDigest();
    const r = await postLineage(base, events, { token: contributor, batch: true });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^\[2\]\.eventType must be one of/);
    expect(r.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: '[2].eventType', index: 2 });
    expect(await graphDigest()).toEqual(before);

    // A batch whose events validate but whose second is refused by a rule (CONFLICT) leaves nothing either.
    const other = newRunId();
    const conflicting = [
      runEvent({ runId: other, job, eventType: 'START' }),
      runEvent({ runId: other, job: { namespace: 'batch', name: 'another-job' }, eventType: 'RUNNING' }),
    ];
    const c = await postLineage(base, conflicting, { token: contributor, batch: true });
    expect(c.status).toBe(409);
    expect(c.body.error).toMatchObject({ code: 'CONFLICT', index: 1 });
    expect(await graphDigest()).toEqual(before);

    const fine = await postLineage(base, events.slice(0, 2), { token: contributor, batch: true });
    expect(fine.status).toBe(200);
    expect(fine.body.summary).toEqual({ received: 2, successful: 2, failed: 0, retriable: 0, non_retriable: 0 });
    expect((await runQuery(a)).status).toBe('FINISHED');
  });

  it('a re-delivered event changes nothing and appends no audit event; gzip bodies are accepted', async () => {
    const job = { namespace: 'dup', name: uniq('job') };
    const runId = newRunId();
    const complete = runEvent({
      runId,
      job,
      eventType: 'COMPLETE',
      eventTime: '2025-04-01T00:00:00Z',
      outputs: [{ namespace: 's3://dup', name: uniq('o') }],
    });
    const first = await ok(complete);
    expect(first.changed).toBe(true);
    const before = await graphDigest();
    const again = await postLineage(base, null, {
      token: contributor,
      raw: gzipSync(JSON.stringify(complete)) as unknown as string,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'success', changed: false, runId, runStatus: 'FINISHED' });
    expect(await graphDigest()).toEqual(before);
  });

  describe('a contributor cannot use OpenLineage to change what GraphQL would not let them', () => {
    it('refuses events for a run created through GraphQL', async () => {
      const run = (await gqlOk(t.url, 'mutation { createRun(input: { name: "by-hand" }) { id } }')).createRun;
      const before = await graphDigest();
      const r = await postLineage(
        base,
        runEvent({
          runId: run.id,
          job: { namespace: 'x', name: 'y' },
          eventType: 'COMPLETE',
          outputs: [{ namespace: 's3://x', name: 'y' }],
        }),
        { token: contributor },
      );
      expect(r.status).toBe(409);
      expect(r.body.error.message).toMatch(/was not recorded through OpenLineage/);
      expect(await graphDigest()).toEqual(before);
    });

    it('cannot add outputs to (or re-end) a run that has ended', async () => {
      const job = { namespace: 'ended', name: uniq('job') };
      const runId = newRunId();
      await ok(
        runEvent({
          runId,
          job,
          eventType: 'COMPLETE',
          eventTime: '2025-05-01T00:00:00Z',
          outputs: [{ namespace: 's3://ended', name: uniq('a') }],
        }),
      );
      const before = await graphDigest();
      for (const eventType of ['COMPLETE', 'FAIL']) {
        const r = await postLineage(
          base,
          runEvent({
            runId,
            job,
            eventType,
            eventTime: '2025-05-01T00:00:00Z',
            outputs: [{ namespace: 's3://ended', name: uniq('extra') }],
          }),
          { token: contributor },
        );
        expect(r.status).toBe(409);
        expect(r.body.error.message).toMatch(/already ended/);
      }
      expect(await graphDigest()).toEqual(before);
    });

    it('cannot overwrite a dataset version registered by hand (its hash stays)', async () => {
      const name = `s3://${uniq('hand')}/table`;
      const dv = (
        await gqlOk(t.url, 'mutation($i: RegisterDatasetVersionInput!) { registerDatasetVersion(input: $i) { id } }', {
          i: { dataset: name, version: 'v1', hash: 'sha256:hand', uri: name },
        })
      ).registerDatasetVersion;
      const [namespace, table] = [name.slice(0, name.lastIndexOf('/')), 'table'];
      const before = await graphDigest();
      const r = await postLineage(
        base,
        runEvent({
          runId: newRunId(),
          job: { namespace: 'evil', name: 'overwrite' },
          eventType: 'COMPLETE',
          outputs: [{ namespace, name: table, version: 'v1' }],
        }),
        { token: contributor },
      );
      expect(r.status).toBe(409);
      expect(r.body.error.message).toMatch(
        /already exists \(registered without OpenLineage\); dataset versions are immutable/,
      );
      expect(await graphDigest()).toEqual(before);
      expect(
        (await gqlOk(t.url, 'query($id: ID!) { datasetVersion(id: $id) { hash producedBy { id } } }', { id: dv.id }))
          .datasetVersion,
      ).toEqual({ hash: 'sha256:hand', producedBy: null });
    });

    it("cannot re-point a registered version's training run, nor attach one to a promoted version", async () => {
      const modelName = uniq('guarded');
      await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: modelName } });
      const source = `s3://${uniq('m')}/guarded/1`;
      const owner = (await gqlOk(t.url, 'mutation { createRun(input: { name: "real-training" }) { id } }')).createRun;
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName, source, checksum: sha('d'), runId: owner.id },
      });
      const [namespace, name] = [source.slice(0, source.indexOf('/', 5)), source.slice(source.indexOf('/', 5) + 1)];
      const before = await graphDigest();
      const r = await postLineage(
        base,
        runEvent({
          runId: newRunId(),
          job: { namespace: 'evil', name: 'claim' },
          eventType: 'COMPLETE',
          outputs: [{ namespace, name }],
        }),
        { token: contributor },
      );
      expect(r.status).toBe(409);
      expect(r.body.error.message).toMatch(new RegExp(`was trained by run ${owner.id}; its training run is set once`));
      expect(await graphDigest()).toEqual(before);

      // A version in PRODUCTION registered without a run: its provenance is frozen.
      const prodSource = `s3://${uniq('m')}/prod/1`;
      const pv = (
        await gqlOk(t.url, contractOp('CreateModelVersion'), {
          input: { modelName, source: prodSource, checksum: sha('e'), metrics: [{ key: 'auc', value: 0.9 }] },
        })
      ).createModelVersion;
      await promoteToProduction(t.url, modelName, pv.version);
      const before2 = await graphDigest();
      const [ns2, n2] = [
        prodSource.slice(0, prodSource.indexOf('/', 5)),
        prodSource.slice(prodSource.indexOf('/', 5) + 1),
      ];
      const r2 = await postLineage(
        base,
        runEvent({
          runId: newRunId(),
          job: { namespace: 'evil', name: 'claim' },
          eventType: 'COMPLETE',
          outputs: [{ namespace: ns2, name: n2 }],
        }),
        { token: contributor },
      );
      expect(r2.status).toBe(409);
      expect(r2.body.error.message).toMatch(/is in PRODUCTION and was registered without a training run/);
      expect(await graphDigest()).toEqual(before2);
    });

    it('cannot move a run to another job, nor hang it under a GraphQL run', async () => {
      const runId = newRunId();
      await ok(runEvent({ runId, job: { namespace: 'mine', name: 'a' } }));
      const before = await graphDigest();
      const moved = await postLineage(
        base,
        runEvent({ runId, job: { namespace: 'mine', name: 'b' }, eventType: 'RUNNING' }),
        { token: contributor },
      );
      expect(moved.status).toBe(409);
      expect(moved.body.error.message).toMatch(/belongs to job mine\/a/);
      const handRun = (await gqlOk(t.url, 'mutation { createRun(input: { name: "by-hand" }) { id } }')).createRun;
      const before2 = await graphDigest();
      const adopted = await postLineage(
        base,
        runEvent({
          runId: newRunId(),
          job: { namespace: 'mine', name: 'c' },
          runFacets: { parent: facet({ run: { runId: handRun.id }, job: { namespace: 'x', name: 'y' } }) },
        }),
        { token: contributor },
      );
      expect(adopted.status).toBe(409);
      expect(adopted.body.error.message).toMatch(/was not recorded through OpenLineage/);
      expect(await graphDigest()).toEqual(before2);
      expect(before).not.toEqual(before2); // createRun wrote in between
    });
  });

  it('column lineage: stored and queryable; a dataset named only in inputFields is an input; an output without the facet derives from every input', async () => {
    const p = uniq('cl');
    const ns = `duckdb://${p}`;
    const runId = newRunId();
    const job = { namespace: `${p}-dbt`, name: 'model.orders' };
    const col = facet(
      {
        fields: {
          amount: {
            inputFields: [
              {
                namespace: ns,
                name: 'main.raw_orders',
                field: 'amount',
                transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
              },
            ],
          },
          country: {
            inputFields: [
              {
                namespace: ns,
                name: 'main.seed_countries',
                field: 'name',
                transformations: [{ type: 'DIRECT', subtype: 'TRANSFORMATION' }],
              },
            ],
          },
        },
      },
      'ColumnLineageDatasetFacet',
    );
    const r = await ok(
      runEvent({
        runId,
        job,
        eventType: 'COMPLETE',
        eventTime: '2025-06-01T00:00:00Z',
        inputs: [
          { namespace: ns, name: 'main.raw_orders' },
          { namespace: ns, name: 'main.raw_refunds' },
        ],
        outputs: [
          { namespace: ns, name: 'main.orders', facets: { columnLineage: col } },
          { namespace: ns, name: 'main.orders_audit' },
        ],
      }),
    );
    const orders = await dvQuery(r.outputs.find((o: any) => o.dataset.endsWith('main.orders')).id);
    expect(orders.columnLineage).toEqual([
      {
        field: 'amount',
        inputFields: [
          {
            dataset: `${ns}/main.raw_orders`,
            field: 'amount',
            transformations: [{ type: 'DIRECT' }],
            datasetVersion: null,
            dataSource: { uri: `${ns}/main.raw_orders` },
          },
        ],
      },
      {
        field: 'country',
        inputFields: [
          {
            dataset: `${ns}/main.seed_countries`,
            field: 'name',
            transformations: [{ type: 'DIRECT' }],
            datasetVersion: null,
            dataSource: { uri: `${ns}/main.seed_countries` },
          },
        ],
      },
    ]);
    const only = (
      await gqlOk(t.url, 'query($id: ID!) { datasetVersion(id: $id) { columnLineage(field: "country") { field } } }', {
        id: orders.id,
      })
    ).datasetVersion.columnLineage;
    expect(only).toEqual([{ field: 'country' }]);
    const upstream = async (id: string) =>
      (
        await gqlOk(
          t.url,
          'query($id: ID!) { lineage(id: $id, direction: UPSTREAM, depth: 1, relations: ["DERIVED_FROM"]) { nodes { label } } }',
          { id },
        )
      ).lineage.nodes
        .map((n: any) => n.label)
        .sort();
    // The seed is an input (USED by the run) though the inputs list omits it.
    expect((await runQuery(runId)).lineageInputs.map((i: any) => i.dataset)).toEqual([
      `${ns}/main.raw_orders`,
      `${ns}/main.raw_refunds`,
      `${ns}/main.seed_countries`,
    ]);
    expect(await upstream(orders.id)).toEqual([`${ns}/main.raw_orders`, `${ns}/main.seed_countries`]);
    const audit = r.outputs.find((o: any) => o.dataset.endsWith('orders_audit')).id;
    expect(await upstream(audit)).toEqual([
      `${ns}/main.raw_orders`,
      `${ns}/main.raw_refunds`,
      `${ns}/main.seed_countries`,
    ]);
  });

  it('JobEvents and DatasetEvents (static lineage) are recorded; runs(job:) pages newest first', async () => {
    const p = uniq('static');
    const job = { namespace: `${p}-jobs`, name: 'nightly' };
    const je = await ok({
      eventTime: '2025-07-01T00:00:00Z',
      producer: 'https://example.com/p',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent',
      job: { ...job, facets: { documentation: facet({ description: 'The nightly build' }) } },
      inputs: [{ namespace: `s3://${p}`, name: 'in' }],
      outputs: [{ namespace: `s3://${p}`, name: 'out' }],
    });
    expect(je).toMatchObject({ kind: 'job', changed: true });
    const de = await ok({
      eventTime: '2025-07-01T00:00:00Z',
      producer: 'https://example.com/p',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
      dataset: {
        namespace: `s3://${p}`,
        name: 'out',
        facets: { ownership: facet({ owners: [{ name: 'team:data' }] }) },
      },
    });
    expect(de).toMatchObject({ kind: 'dataset', changed: true, datasetName: `s3://${p}/out` });
    const ids = [];
    for (let day = 1; day <= 5; day++) {
      const id = newRunId();
      ids.push(id);
      await ok(runEvent({ runId: id, job, eventType: 'START', eventTime: `2025-07-0${day}T03:00:00Z` }));
    }
    const page1 = (
      await gqlOk(
        t.url,
        'query($job: JobRefInput!) { runs(job: $job, first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        { job },
      )
    ).runs;
    expect(page1.totalCount).toBe(5);
    expect(page1.edges.map((e: any) => e.node.id)).toEqual([ids[4], ids[3]]);
    const page2 = (
      await gqlOk(
        t.url,
        'query($job: JobRefInput!, $after: String) { runs(job: $job, first: 10, after: $after) { edges { node { id job { declaredInputs declaredOutputs facets } } } pageInfo { hasNextPage } } }',
        { job, after: page1.pageInfo.endCursor },
      )
    ).runs;
    expect(page2.edges.map((e: any) => e.node.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.edges[0].node.job).toMatchObject({
      declaredInputs: [`s3://${p}/in`],
      declaredOutputs: [`s3://${p}/out`],
    });
    expect(page2.edges[0].node.job.facets.documentation.description).toBe('The nightly build');
    const bad = await gql(
      t.url,
      'query($job: JobRefInput!) { runs(job: $job, after: "bm90LWEtY3Vyc29y") { totalCount } }',
      { job },
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps unknown facets as JSON, and omits one past the size cap with a marker', async () => {
    const runId = newRunId();
    await ok(
      runEvent({
        runId,
        job: { namespace: 'caps', name: uniq('j') },
        runFacets: { spark_logicalPlan: facet({ plan: 'p'.repeat(200_000) }), small: facet({ x: 1 }) },
      }),
    );
    const facets = (await runQuery(runId)).facets;
    expect(facets.small.x).toBe(1);
    expect(facets.spark_logicalPlan._pedigreeOmitted).toMatch(/Pedigree keeps facets up to 65536 bytes/);
  });
});

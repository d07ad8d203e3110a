import { contractOp } from './contract.js';
import { createModel, createVersion } from './fixtures.js';
import { gqlOk, sha, uniq } from './graphql.js';

/**
 * A fine-tuned, distilled version through the public API: raw source →
 * cleaned dataset → train/test dataset versions → run → a teacher model
 * version, a provider base model, and the student version with overall and
 * per-segment metrics.
 */
export async function distilledStudent(url: string) {
  const raw = await gqlOk(url, contractOp('RegisterDatasetVersion'), {
    input: {
      dataset: uniq('raw-tx'),
      version: '2024-01',
      hash: sha('1'),
      rowCount: 1000,
      sources: [`s3://lake/${uniq('tx')}/2024-01.parquet`],
    },
  });
  const train = await gqlOk(url, contractOp('RegisterDatasetVersion'), {
    input: {
      dataset: uniq('tx-train'),
      version: 'v1',
      hash: sha('2'),
      rowCount: 800,
      derivedFrom: [raw.registerDatasetVersion.id],
    },
  });
  const test = await gqlOk(url, contractOp('RegisterDatasetVersion'), {
    input: {
      dataset: uniq('tx-test'),
      version: 'v1',
      hash: sha('3'),
      rowCount: 200,
      derivedFrom: [raw.registerDatasetVersion.id],
    },
  });
  const run = await gqlOk(url, contractOp('CreateRun'), {
    input: {
      name: 'distill-7',
      experiment: 'fraud',
      codeRepo: 'git@example.com:risk/fraud.git',
      codeCommit: 'abc1234',
      environment: 'sha256:feed',
      params: [{ key: 'temperature', value: '2' }],
      seeds: [7],
      inputs: [
        { datasetVersionId: train.registerDatasetVersion.id, role: 'train' },
        { datasetVersionId: test.registerDatasetVersion.id, role: 'test' },
      ],
    },
  });
  await gqlOk(url, contractOp('FinishRun'), { id: run.createRun.id, status: 'FINISHED' });
  const base = await gqlOk(
    url,
    'mutation($i: RegisterProviderModelInput!) { registerProviderModel(input: $i) { id provider name providerVersion } }',
    {
      i: { provider: 'acme', name: uniq('llm'), providerVersion: '2024-06-01' },
    },
  );
  const teacherModel = await createModel(url, uniq('fraud-teacher'));
  await createVersion(url, teacherModel, { checksum: sha('7') });
  const student = await createModel(url, uniq('fraud-student'), {
    owner: 'risk-ml',
    tags: [
      { key: 'team', value: 'risk' },
      { key: 'contact', value: 'risk-ml@example.com' },
      { key: 'license', value: 'apache-2.0' },
    ],
  });
  const v = await createVersion(url, student, {
    checksum: sha('9'),
    runId: run.createRun.id,
    baseProviderModelId: base.registerProviderModel.id,
    teachers: [{ modelName: teacherModel, version: 1 }],
    metrics: [
      { key: 'auc', value: 0.91 },
      { key: 'auc', value: 0.88, segment: 'eu' },
      { key: 'auc', value: 0.93, segment: 'us' },
    ],
  });
  return {
    student,
    version: v.version,
    teacherModel,
    base: base.registerProviderModel,
    datasets: {
      raw: raw.registerDatasetVersion,
      train: train.registerDatasetVersion,
      test: test.registerDatasetVersion,
    },
    run: run.createRun,
  };
}

import { contractOp } from './contract.js';
import { gqlOk, sha, uniq } from './graphql.js';

/** Small builders over the public API: a model, and versions of it. */
export async function createModel(
  url: string,
  name = uniq('model'),
  extra: Record<string, unknown> = {},
): Promise<string> {
  await gqlOk(url, contractOp('CreateRegisteredModel'), { input: { name, ...extra } });
  return name;
}

export async function createVersion(
  url: string,
  modelName: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; version: number; semver: string }> {
  const data = await gqlOk(url, contractOp('CreateModelVersion'), {
    input: { modelName, source: `s3://bucket/${modelName}/model.pkl`, checksum: sha('a'), ...extra },
  });
  return data.createModelVersion;
}

/** Logs `count` predictions made by a version, 10,000 a call; their ids are `${stamp}-00000`, `${stamp}-00001`, … */
export async function logManyPredictions(
  url: string,
  modelName: string,
  version: number,
  stamp: string,
  count: number,
): Promise<void> {
  for (let start = 0; start < count; start += 10_000) {
    const predictions = Array.from({ length: Math.min(10_000, count - start) }, (_, i) => ({
      id: `${stamp}-${String(start + i).padStart(5, '0')}`,
    }));
    await gqlOk(url, contractOp('LogPredictions'), { input: { model: { modelName, version }, predictions } });
  }
}

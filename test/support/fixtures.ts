import { contractOp } from './contract.js';
import { gqlOk, sha, uniq } from './graphql.js';

/** Small builders over the public API: a model, and versions of it. */
export async function createModel(url: string, name = uniq('model'), extra: Record<string, unknown> = {}): Promise<string> {
  await gqlOk(url, contractOp('CreateRegisteredModel'), { input: { name, ...extra } });
  return name;
}

export async function createVersion(url: string, modelName: string, extra: Record<string, unknown> = {}): Promise<{ id: string; version: number; semver: string }> {
  const data = await gqlOk(url, contractOp('CreateModelVersion'), {
    input: { modelName, source: `s3://bucket/${modelName}/model.pkl`, checksum: sha('a'), ...extra },
  });
  return data.createModelVersion;
}

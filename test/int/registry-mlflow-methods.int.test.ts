import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { Role } from '../../src/governance/roles.js';
import { graphDigest } from '../support/graph-digest.js';
import { sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The registry methods the MLflow front door needed: renameModel,
 * deleteVersion, attachChecksum and unverified versions. Each refusal writes
 * nothing.
 */
/**
 * The caller of these direct service calls: an admin, so governance lets every change through to the registry's own
 * rules.
 */
const TEST = { name: 'test', role: Role.ADMIN };

describe('registry: rename, delete version, unverified versions', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e instanceof DomainError ? e.code : String(e);
    }
    return 'ok';
  };
  const refusedUnchanged = async (p: () => Promise<unknown>, expected: string) => {
    const before = await graphDigest();
    expect(await code(p())).toBe(expected);
    expect(await graphDigest()).toEqual(before);
  };

  it('renameModel moves versions and aliases; a taken name is CONFLICT and changes nothing', async () => {
    const { registry } = t.app.services;
    const a = uniq('rn-a');
    const b = uniq('rn-b');
    await registry.models.createModel(TEST, { name: a });
    await registry.models.createModel(TEST, { name: b });
    await registry.versions.createVersion(TEST, { modelName: a, source: 's3://b/x', checksum: sha('1') });
    await registry.aliases.setAlias(TEST, a, 'prod', 1);
    await refusedUnchanged(() => registry.models.renameModel(TEST, a, b), 'CONFLICT');
    await refusedUnchanged(() => registry.models.renameModel(TEST, uniq('none'), uniq('x')), 'NOT_FOUND');
    const c = uniq('rn-c');
    await registry.models.renameModel(TEST, a, c);
    expect((await registry.lookup.getVersion({ modelName: c, alias: 'prod' })).version).toBe(1);
    expect(await registry.lookup.getModel(a)).toBeNull();
    expect(await code(registry.lookup.getVersion({ modelName: a, version: 1 }))).toBe('NOT_FOUND');
  });

  it('deleteVersion is refused in PRODUCTION, with descendants, or behind a protected alias, writing nothing', async () => {
    const { registry, lifecycle, provenance } = t.app.services;
    const m = uniq('del');
    await registry.models.createModel(TEST, { name: m });
    for (let i = 0; i < 3; i++)
      await registry.versions.createVersion(TEST, { modelName: m, source: `s3://b/${i}`, checksum: sha(String(i)) });
    await provenance.relations.addModelRelation(TEST, {
      child: { modelName: m, version: 2 },
      relation: 'FINE_TUNED_FROM',
      parent: { modelName: m, version: 1 },
    });
    await refusedUnchanged(() => registry.versions.deleteVersion(TEST, { modelName: m, version: 1 }), 'CONFLICT');
    await registry.aliases.setAlias(TEST, m, 'guarded', 3);
    await lifecycle.setProtectedAliases(TEST, m, ['guarded']);
    await refusedUnchanged(() => registry.versions.deleteVersion(TEST, { modelName: m, version: 3 }), 'CONFLICT');
    await refusedUnchanged(() => registry.versions.deleteVersion(TEST, { modelName: m, version: 9 }), 'NOT_FOUND');
    await registry.aliases.setAlias(TEST, m, 'free', 2);
    const done = await registry.versions.deleteVersion(TEST, { modelName: m, version: 2 });
    expect(done.deletedAliases).toEqual(['free']);
    expect(await registry.lookup.findVersion({ modelName: m, version: 2 })).toBeNull();
  });

  it('unverified versions: no checksum only when the caller allows it; attachChecksum once; the STAGING gate waits for it', async () => {
    const { registry, lifecycle } = t.app.services;
    const m = uniq('unv');
    await registry.models.createModel(TEST, { name: m });
    await refusedUnchanged(
      () => registry.versions.createVersion(TEST, { modelName: m, source: 's3://b/x', checksum: null }),
      'BAD_USER_INPUT',
    );
    const v = await registry.versions.createVersion(
      TEST,
      { modelName: m, source: 's3://b/x', checksum: null, metrics: [{ key: 'auc', value: 0.9 }] },
      { allowUnverified: true },
    );
    expect(v.checksum ?? null).toBeNull();
    await refusedUnchanged(
      () => lifecycle.transition(TEST, { modelName: m, version: 1 }, { stage: 'STAGING' }),
      'GATE_FAILED',
    );
    await refusedUnchanged(
      () => registry.versions.attachChecksum(TEST, { modelName: m, version: 1 }, 'md5:abc'),
      'BAD_USER_INPUT',
    );
    expect((await registry.versions.attachChecksum(TEST, { modelName: m, version: 1 }, sha('d'))).checksum).toBe(
      sha('d'),
    );
    await refusedUnchanged(
      () => registry.versions.attachChecksum(TEST, { modelName: m, version: 1 }, sha('e')),
      'CHECKSUM_MISMATCH',
    );
    expect((await lifecycle.transition(TEST, { modelName: m, version: 1 }, { stage: 'STAGING' })).stage).toBe(
      'STAGING',
    );
  });
});

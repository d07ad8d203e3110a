import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { ARTIFACTS, makePeople, mlflow, toProduction, type People } from '../support/governed.js';
import { as, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DRILL = `mutation($n: String!) { rollbackDrill(modelName: $n) {
  modelName passed sequence versions { version { version stage } artefacts found unmetGates passed } } }`;

/**
 * Leaving production by the book: a rollback drill checks that every version
 * that was ever in PRODUCTION could still be returned to (its artefacts are
 * there and hash to its checksum; the → PRODUCTION requirements hold), and
 * records what it found.
 */
describe('rollback drill', () => {
  let t: TestServer;
  let p: People;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-drill-'));
    t = await startTestServer({ PEDIGREE_DATA_DIR: dataDir });
    p = await makePeople(t.url);
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("passes while the production versions' artefacts match and their gates hold; a tampered file or a lost gate fails it; each result is recorded", async () => {
    const name = uniq('drill');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
    await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: name, owners: [p.names.owner] });
    for (const title of ['Intended use and users', 'Limitations and failure modes']) {
      await gqlOk(
        t.url,
        'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "Written.") { revision } }',
        { n: name, t: title },
      );
    }
    // v1: a file in Pedigree's artifact store, uploaded through MLflow's proxy by the requester.
    const experiment = (
      await mlflow(t.url, p.tokens.requester, 'POST', 'experiments/create', { name: uniq('drill-exp') })
    ).json.experiment_id;
    const runId = (await mlflow(t.url, p.tokens.requester, 'POST', 'runs/create', { experiment_id: experiment })).json
      .run.info.run_id;
    const file = `${experiment}/${runId}/artifacts/model/weights.bin`;
    const put = await fetch(`${t.url.replace(/\/graphql$/, '')}${ARTIFACTS}/${file}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${p.tokens.requester}` },
      body: 'weights v1',
    });
    expect(put.status).toBe(200);
    const checksum = `sha256:${createHash('sha256').update('weights v1').digest('hex')}`;
    await gqlOk(
      t.url,
      contractOp('CreateModelVersion'),
      {
        input: {
          modelName: name,
          source: `runs:/${runId}/model/weights.bin`,
          checksum,
          metrics: [{ key: 'auc', value: 0.9 }],
        },
      },
      as(p.tokens.requester),
    );
    // v2: an external source, also promoted; v3 never was.
    await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: {
        modelName: name,
        source: 's3://models/drill/v2',
        checksum: sha('2'),
        metrics: [{ key: 'auc', value: 0.91 }],
      },
    });
    await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: {
        modelName: name,
        source: 's3://models/drill/v3',
        checksum: sha('3'),
        metrics: [{ key: 'auc', value: 0.92 }],
      },
    });
    await toProduction(t.url, p, name, 1);
    await toProduction(t.url, p, name, 2);

    const drill = async () => (await gqlOk(t.url, DRILL, { n: name }, as(p.tokens.contributor))).rollbackDrill;
    const first = await drill();
    expect(first).toMatchObject({ modelName: name, passed: true });
    expect(first.versions.map((v: any) => [v.version.version, v.artefacts, v.unmetGates, v.passed])).toEqual([
      [2, 'EXTERNAL', [], true],
      [1, 'MATCH', [], true],
    ]);

    // A gate no longer holds (the card's limitations section emptied): every production version fails it.
    await gqlOk(
      t.url,
      'mutation($n: String!) { setModelCardSection(modelName: $n, title: "Limitations and failure modes", body: " ") { revision } }',
      { n: name },
    );
    const gateLost = await drill();
    expect(gateLost.passed).toBe(false);
    for (const v of gateLost.versions) expect(v.unmetGates).toEqual([expect.stringMatching(/^card:/)]);
    await gqlOk(
      t.url,
      'mutation($n: String!) { setModelCardSection(modelName: $n, title: "Limitations and failure modes", body: "Written again.") { revision } }',
      { n: name },
    );

    // The file changes on disk behind Pedigree's back: the drill says so.
    writeFileSync(join(dataDir, 'artifacts', ...file.split('/')), 'tampered!!');
    const second = await drill();
    expect(second.passed).toBe(false);
    const v1 = second.versions.find((v: any) => v.version.version === 1);
    expect(v1).toMatchObject({ artefacts: 'MISMATCH', passed: false });
    expect(v1.found).toBe(`sha256:${createHash('sha256').update('tampered!!').digest('hex')}`);

    // Each run is in the audit log in the caller's name.
    const audit = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: name, types: ['ROLLBACK_DRILL_RECORDED'] },
      first: 5,
    });
    expect(audit.auditLog.edges.map((e: any) => [e.node.actor, e.node.after.passed])).toEqual([
      [p.names.contributor, true],
      [p.names.contributor, false],
      [p.names.contributor, false],
    ]);
    // Drill evidence is recorded only by the drill: it is not a kind anyone may add.
    const forged = await gql(
      t.url,
      'mutation($ref: ModelVersionRefInput!) { addModelVersionEvidence(ref: $ref, evidence: { kind: ROLLBACK_DRILL, passed: true }) { kind } }',
      { ref: { modelName: name, version: 1 } },
    );
    expect(forged.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('an unknown model is NOT_FOUND; a model never in PRODUCTION has nothing to drill', async () => {
    expect((await gql(t.url, DRILL, { n: uniq('none') })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const name = uniq('fresh');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
    expect((await gqlOk(t.url, DRILL, { n: name })).rollbackDrill).toMatchObject({ passed: true, versions: [] });
  });
});

import { randomBytes } from 'node:crypto';
import type { Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCypher, countNodes, generate, plan } from '../../bench/generate.js';
import { gqlOk } from '../support/graphql.js';
import { testDriver } from '../support/neo4j.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Keeps the benchmark generator from rotting: a tiny synthetic registry is
 * loaded into the shared test database and the app's own queries read it.
 * No timings are asserted here.
 */
describe('bench generator (smoke)', () => {
  let t: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    t = await startTestServer(); // applies the migrations
    driver = testDriver();
  });
  afterAll(async () => {
    await driver?.close();
    await t?.close();
  });

  it('generates the planned nodes and a gap-free event log the app continues', async () => {
    const prefix = `smoke-${randomBytes(4).toString('hex')}-`;
    const before = await countNodes(driver);
    const p = plan(1500);
    const g = await generate(driver, { nodes: 1500, prefix, batch: 500 });
    const after = await countNodes(driver);
    const delta = (label: string) => (after[label] ?? 0) - (before[label] ?? 0);

    expect(delta('ModelVersion')).toBe(p.versions);
    expect(delta('RegisteredModel')).toBe(p.models);
    expect(delta('Run')).toBe(p.runs);
    expect(delta('DatasetVersion')).toBe(p.datasetVersions);
    expect(delta('DataSource')).toBe(p.sources);
    expect(delta('ProviderModel')).toBe(p.providerModels);
    expect(delta('Prediction')).toBe(p.predictions);
    expect(delta('Alias')).toBe(p.models * 3);
    expect(delta('Tag')).toBe(p.versions * 2 + p.models);
    expect(delta('Metric')).toBe(p.versions * 2);
    expect(delta('Event')).toBe(g.events);
    const total = Object.keys(after).reduce((n, l) => n + delta(l), 0);
    expect(total).toBeGreaterThan(1200);

    // The app reads the generated graph: alias lookup, lineage through the fine-tune chain, trace.
    const model = g.sample.modelNames[g.sample.modelNames.length - 1]!;
    const byAlias = await gqlOk(
      t.url,
      'query($m: String!) { modelVersionByAlias(modelName: $m, alias: "champion") { version } }',
      { m: model },
    );
    expect(byAlias.modelVersionByAlias.version).toBe(p.versionsPerModel);
    const lineage = await gqlOk(
      t.url,
      'query($id: ID!) { lineage(id: $id, direction: UPSTREAM, depth: 20) { nodes { kind } } }',
      { id: g.sample.deepVersionIds[0] },
    );
    const kinds = new Set(lineage.lineage.nodes.map((n: { kind: string }) => n.kind));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining(['DataSource', 'DatasetVersion', 'ModelVersion', 'ProviderModel', 'Run']),
    );
    const trace = await gqlOk(
      t.url,
      'query($id: String!) { tracePrediction(id: $id) { datasets { id } sources { uri } } }',
      { id: g.sample.predictionIds[0] },
    );
    expect(trace.tracePrediction.datasets.length).toBeGreaterThan(0);
    expect(trace.tracePrediction.sources.length).toBeGreaterThan(0);

    // The app's next event continues the generated log without a gap.
    const moved = await gqlOk(
      t.url,
      'mutation($m: String!) { setRegisteredModelAlias(modelName: $m, alias: "candidate", version: 1) { sequence } }',
      { m: model },
    );
    const s = driver.session();
    try {
      const r = (await s.run(benchCypher('event-log-check'))).records[0]!;
      expect(Number(r.get('counter'))).toBe(Number(moved.setRegisteredModelAlias.sequence));
      expect(Number(r.get('last'))).toBe(Number(r.get('counter')));
      expect(Number(r.get('events'))).toBe(Number(r.get('counter')));
      expect(Number(r.get('distinctSequences'))).toBe(Number(r.get('counter')));
    } finally {
      await s.close();
    }
  }, 300_000); // generous: the loader's statements are planned cold on a shared machine; nothing here is timed
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRule } from '../../src/operations/monitoring.service.js';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // Operations are tested on their own: protected aliases and stages are governance's (promotion.e2e).
  t = await startTestServer({}, { withoutPromotionGuard: true });
});
afterAll(async () => {
  await t?.close();
});

const ingest = (
  deployment: string,
  modelName: string,
  version: number,
  signals: { metric: string; value: number; at: string }[],
) =>
  gqlOk(
    t.url,
    'mutation($i: IngestHealthSignalsInput!) { ingestHealthSignals(input: $i) { count raised { ruleName version value state action rolledBackTo since } resolved { ruleName state } } }',
    {
      i: { deployment, modelVersion: { modelName, version }, signals },
    },
  );
const minutes = (base: number, m: number) => new Date(base + m * 60_000).toISOString();

describe('rule evaluation (pure)', () => {
  it('fires only when the breach held without a break for the whole window', () => {
    const rule = { op: 'GT' as const, threshold: 0.02, forMinutes: 10 };
    const s = (v: number, m: number) => ({ value: v, at: minutes(0, m) });
    expect(evaluateRule(rule, [s(0.05, 9), s(0.05, 0)]).firing).toBe(false);
    expect(evaluateRule(rule, [s(0.05, 10), s(0.05, 0)]).firing).toBe(true);
    expect(evaluateRule(rule, [s(0.05, 10), s(0.01, 5), s(0.05, 0)]).firing).toBe(false);
    expect(evaluateRule(rule, [s(0.01, 10), s(0.05, 0)])).toMatchObject({ firing: false, breaching: false });
  });
});

describe('rollback drill', () => {
  it('move, detect, roll back: a ROLLBACK rule moves production back to the last good version and the deployment follows', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m, { checksum: sha('a') });
    await createVersion(t.url, m, { checksum: sha('b') });
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: 'production', version: 1 });
    const dep = uniq('fraud-api');
    expect(
      (
        await gql(t.url, contractOp('RecordDeployment'), {
          input: {
            name: dep,
            environment: 'production',
            models: [{ ref: { modelName: m, alias: 'production' }, checksum: sha('a') }],
          },
        })
      ).errors,
    ).toBeUndefined();
    const rule = await gqlOk(
      t.url,
      'mutation($i: MonitoringRuleInput!) { setMonitoringRule(input: $i) { name metric op threshold forMinutes action alias } }',
      {
        i: {
          modelName: m,
          name: 'error-rate',
          metric: 'error_rate',
          op: 'GT',
          threshold: 0.02,
          forMinutes: 10,
          action: 'ROLLBACK',
          alias: 'production',
        },
      },
    );
    expect(rule.setMonitoringRule).toMatchObject({ threshold: 0.02, forMinutes: 10, action: 'ROLLBACK' });

    // Move: production → v2.
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: 'production', version: 2 });
    const t0 = Date.now() - 30 * 60_000;
    // Detect: error rate above 2 %, first for 5 minutes (no alert), then for 10.
    let r = await ingest(dep, m, 2, [
      { metric: 'error_rate', value: 0.05, at: minutes(t0, 0) },
      { metric: 'latency_p99_ms', value: 180, at: minutes(t0, 0) },
      { metric: 'error_rate', value: 0.06, at: minutes(t0, 5) },
    ]);
    expect(r.ingestHealthSignals).toMatchObject({ count: 3, raised: [], resolved: [] });
    r = await ingest(dep, m, 2, [{ metric: 'error_rate', value: 0.07, at: minutes(t0, 10) }]);
    // Roll back: the alias returns to v1 in the same transaction.
    expect(r.ingestHealthSignals.raised).toEqual([
      {
        ruleName: 'error-rate',
        version: 2,
        value: 0.07,
        state: 'OPEN',
        action: 'ROLLBACK',
        rolledBackTo: 1,
        since: new Date(minutes(t0, 0)).toISOString(),
      },
    ]);
    const alias = await gqlOk(
      t.url,
      'query($n: String!) { modelVersionByAlias(modelName: $n, alias: "production") { version } }',
      { n: m },
    );
    expect(alias.modelVersionByAlias.version).toBe(1);
    const now = await gqlOk(t.url, contractOp('DeploymentAt'), {
      name: dep,
      at: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(now.deploymentAt.serving[0].modelVersion.version).toBe(1);
    const log = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: m, types: ['ROLLBACK', 'ALERT_RAISED'] },
    });
    const events = log.auditLog.edges
      .map((e: any) => e.node)
      .sort((a: any, b: any) => Number(a.sequence) - Number(b.sequence));
    expect(events.map((e: any) => e.type)).toEqual(['ROLLBACK', 'ALERT_RAISED']);
    expect(events[0].after.reason).toMatch(/error-rate/);
    expect(events[1].after).toMatchObject({ rule: 'error-rate', deployment: dep, rolledBackTo: 1 });

    // A second breach sample does not raise a second alert; a healthy one resolves it.
    expect(
      (await ingest(dep, m, 2, [{ metric: 'error_rate', value: 0.08, at: minutes(t0, 11) }])).ingestHealthSignals
        .raised,
    ).toEqual([]);
    expect(
      (await ingest(dep, m, 2, [{ metric: 'error_rate', value: 0.01, at: minutes(t0, 12) }])).ingestHealthSignals
        .resolved,
    ).toEqual([{ ruleName: 'error-rate', state: 'RESOLVED' }]);

    // Pedigree's own /metrics carries the newest signal per series.
    const text = await (await fetch(t.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(text).toContain(
      `pedigree_deployment_health{deployment="${dep}",model="${m}",version="2",metric="error_rate"} 0.01`,
    );
    expect(text).toContain(
      `pedigree_deployment_health{deployment="${dep}",model="${m}",version="2",metric="latency_p99_ms"} 180`,
    );
  });

  it('refuses bad rules and signals', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m);
    const bad = await gql(t.url, 'mutation($i: MonitoringRuleInput!) { setMonitoringRule(input: $i) { name } }', {
      i: {
        modelName: m,
        name: 'r',
        metric: 'error_rate',
        op: 'GT',
        threshold: 0.02,
        forMinutes: 10,
        action: 'ROLLBACK',
      },
    });
    expect(code(bad)).toBe('BAD_USER_INPUT');
    const none = await gql(
      t.url,
      'mutation($i: IngestHealthSignalsInput!) { ingestHealthSignals(input: $i) { count } }',
      { i: { deployment: 'd', modelVersion: { modelName: m, version: 1 }, signals: [] } },
    );
    expect(code(none)).toBe('BAD_USER_INPUT');
  });
});

describe('retention', () => {
  it('removes health samples older than PEDIGREE_HEALTH_RETENTION_DAYS (30 by default) and keeps the rest', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m, { checksum: sha('a') });
    const dep = uniq('retention-api');
    const day = 86_400_000;
    const now = Date.now();
    await ingest(dep, m, 1, [
      { metric: 'latency_p99', value: 1, at: new Date(now - 40 * day).toISOString() },
      { metric: 'latency_p99', value: 2, at: new Date(now - 31 * day).toISOString() },
      { metric: 'latency_p99', value: 3, at: new Date(now - 29 * day).toISOString() },
      { metric: 'latency_p99', value: 4, at: new Date(now).toISOString() },
    ]);
    const values = async () => {
      const session = t.app.executor.driver.session();
      try {
        const r = await session.run('MATCH (s:HealthSample {deployment: $dep}) RETURN s.value AS v ORDER BY v', {
          dep,
        });
        return r.records.map((x) => x.get('v') as number);
      } finally {
        await session.close();
      }
    };
    expect(await values()).toEqual([1, 2, 3, 4]);
    const removed = await t.app.services.retention.runOnce(now);
    expect(removed.healthSamples).toBeGreaterThanOrEqual(2);
    expect(await values()).toEqual([3, 4]);
    expect((await t.app.services.retention.runOnce(now)).healthSamples).toBe(0);
  });
});

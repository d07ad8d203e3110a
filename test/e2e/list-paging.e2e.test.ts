import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { registerVersion } from '../support/provenance-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Lists that used to be answered whole (DESIGN.md rule 10): each now takes
 * `first` (default 100, at most 500) and `after`, keeps its return type, and
 * resumes after the item `after` names. Each walk below pages with a small
 * `first` and checks the pages against one large page: every item once, in
 * the same order, and an `after` that names nothing is BAD_USER_INPUT.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true' }, { withoutPromotionGuard: true });
});
afterAll(async () => {
  await t?.close();
});

/**
 * Pages through a plain list field `first` at a time, passing `cursorOf(last item)`
 * as `after`, until a short page or `maxPages` pages; returns the pages.
 */
async function walk(
  query: string,
  vars: Record<string, unknown>,
  field: string,
  first: number,
  cursorOf: (item: any) => string,
  maxPages = 100,
): Promise<any[][]> {
  const pages: any[][] = [];
  let after: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: any[] = (await gqlOk(t.url, query, { ...vars, first, after }))[field];
    pages.push(page);
    if (page.length < first) return pages;
    after = cursorOf(page.at(-1));
  }
  return pages;
}

/**
 * The pages of `walk` (2 at a time) against one page of 100: the same items,
 * each once, in order; the default page; the limits of `first`. A list other
 * tests add to (`shared`: tokens, webhooks, pins) is compared on its first 10.
 */
async function expectPagesCoverTheList(
  query: string,
  vars: Record<string, unknown>,
  field: string,
  cursorOf: (item: any) => string,
  atLeast: number,
  shared = false,
) {
  const whole: any[] = (await gqlOk(t.url, query, { ...vars, first: shared ? 10 : 100, after: null }))[field];
  expect(whole.length).toBeGreaterThanOrEqual(atLeast);
  const pages = await walk(query, vars, field, 2, cursorOf, shared ? 5 : 100);
  expect(pages.flat().slice(0, whole.length)).toEqual(whole);
  if (!shared) expect(pages.flat()).toEqual(whole);
  expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
  // The default page is 100: with no arguments the same list comes back.
  const byDefault: any[] = (await gqlOk(t.url, query, vars))[field];
  expect(byDefault.slice(0, whole.length)).toEqual(whole);
  expect(byDefault.length).toBeLessThanOrEqual(100);
  const over = await gql(t.url, query, { ...vars, first: 501 });
  expect(code(over)).toBe('BAD_USER_INPUT');
  expect(over.errors?.[0]?.message).toMatch(/first must be an integer from 0 to 500/);
  expect(code(await gql(t.url, query, { ...vars, first: -1 }))).toBe('BAD_USER_INPUT');
  return whole;
}

describe('root lists page with first/after', () => {
  it('alerts: newest first, after the id of the last alert', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m);
    const deployment = uniq('alerting');
    for (let i = 0; i < 5; i++) {
      await gqlOk(t.url, 'mutation($i: MonitoringRuleInput!) { setMonitoringRule(input: $i) { id } }', {
        i: {
          modelName: m,
          name: `r${i}`,
          metric: 'error_rate',
          op: 'GT',
          threshold: i / 100,
          forMinutes: 0,
          action: 'ALERT',
        },
      });
    }
    const raised = await gqlOk(
      t.url,
      'mutation($i: IngestHealthSignalsInput!) { ingestHealthSignals(input: $i) { raised { id } } }',
      {
        i: { deployment, modelVersion: { modelName: m, version: 1 }, signals: [{ metric: 'error_rate', value: 0.5 }] },
      },
    );
    expect(raised.ingestHealthSignals.raised).toHaveLength(5);
    const q =
      'query($d: String, $first: Int, $after: String) { alerts(deployment: $d, first: $first, after: $after) { id ruleName openedAt } }';
    const whole = await expectPagesCoverTheList(q, { d: deployment }, 'alerts', (a) => a.id, 5);
    expect(whole.map((a) => a.openedAt)).toEqual([...whole.map((a) => a.openedAt)].sort().reverse());
    expect(code(await gql(t.url, q, { d: deployment, after: 'no-such-alert' }))).toBe('BAD_USER_INPUT');
  });

  it('deploymentHistory: oldest first, records and alias moves, after the sequence of the last change', async () => {
    const m = await createModel(t.url);
    for (const c of ['a', 'b', 'c']) await createVersion(t.url, m, { checksum: sha(c) });
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: 'live', version: 1 });
    const name = uniq('dep');
    const record = (checksum: string) =>
      gqlOk(t.url, contractOp('RecordDeployment'), {
        input: { name, environment: 'staging', models: [{ ref: { modelName: m, alias: 'live' }, checksum }] },
      });
    await record(sha('a'));
    for (const v of [2, 3, 1, 2])
      await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: 'live', version: v });
    await record(sha('b'));
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: 'live', version: 3 });
    const q =
      'query($n: String!, $first: Int, $after: String) { deploymentHistory(name: $n, first: $first, after: $after) { sequence type alias deployment { serving { modelVersion { version } } } } }';
    const whole = await expectPagesCoverTheList(q, { n: name }, 'deploymentHistory', (c) => c.sequence, 7);
    // Two records, the four moves between them and the one after the second.
    expect(whole.map((c) => c.type)).toEqual([
      'DEPLOYMENT_RECORDED',
      'ALIAS_SET',
      'ALIAS_SET',
      'ALIAS_SET',
      'ALIAS_SET',
      'DEPLOYMENT_RECORDED',
      'ALIAS_SET',
    ]);
    expect(whole.map((c) => c.deployment.serving[0].modelVersion.version)).toEqual([1, 2, 3, 1, 2, 2, 3]);
    expect(whole.map((c) => BigInt(c.sequence))).toEqual(
      [...whole.map((c) => BigInt(c.sequence))].sort((a, b) => (a < b ? -1 : 1)),
    );
    // A page starting in the middle of a record's interval still knows what that record followed.
    const mid = (await gqlOk(t.url, q, { n: name, first: 2, after: whole[2].sequence })).deploymentHistory;
    expect(mid).toEqual(whole.slice(3, 5));
    expect(code(await gql(t.url, q, { n: name, after: 'not-a-sequence' }))).toBe('BAD_USER_INPUT');
  });

  it('modelCardSectionHistory: newest first, after the id of the last revision', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m);
    const set = (body: string, target: Record<string, unknown>) =>
      gqlOk(
        t.url,
        'mutation($m: String, $r: ModelVersionRefInput, $b: String!) { setModelCardSection(modelName: $m, ref: $r, title: "Limitations", body: $b) { id revision } }',
        { ...target, b: body },
      );
    for (let i = 1; i <= 3; i++) await set(`model ${i}`, { m });
    for (let i = 1; i <= 2; i++) await set(`version ${i}`, { r: { modelName: m, version: 1 } });
    const q =
      'query($m: String!, $first: Int, $after: String) { modelCardSectionHistory(modelName: $m, title: "Limitations", first: $first, after: $after) { id revision scope body } }';
    const whole = await expectPagesCoverTheList(q, { m }, 'modelCardSectionHistory', (s) => s.id, 5);
    expect(whole.map((s) => s.body)).toEqual(['version 2', 'version 1', 'model 3', 'model 2', 'model 1']);
    expect(code(await gql(t.url, q, { m, after: 'no-such-revision' }))).toBe('BAD_USER_INPUT');
  });

  it('providerModels, providerChangeLog, deploymentsOnDeprecatedProviderVersions', async () => {
    const provider = uniq('prov');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await gqlOk(
        t.url,
        'mutation($i: RecordProviderVersionInput!) { recordProviderVersion(input: $i) { id } }',
        {
          i: { provider, name: 'llm', providerVersion: `2024-0${i + 1}`, changeDate: `2024-0${i + 1}-01T00:00:00Z` },
        },
      );
      ids.push(p.recordProviderVersion.id);
    }
    const models =
      'query($p: String, $first: Int, $after: String) { providerModels(provider: $p, first: $first, after: $after) { id providerVersion } }';
    const all = await expectPagesCoverTheList(models, { p: provider }, 'providerModels', (p) => p.id, 5);
    expect(all.map((p) => p.providerVersion)).toEqual(['2024-01', '2024-02', '2024-03', '2024-04', '2024-05']);
    const log =
      'query($p: String!, $first: Int, $after: String) { providerChangeLog(provider: $p, name: "llm", first: $first, after: $after) { id providerVersion } }';
    const changes = await expectPagesCoverTheList(log, { p: provider }, 'providerChangeLog', (p) => p.id, 5);
    expect(changes.map((p) => p.providerVersion)).toEqual(['2024-05', '2024-04', '2024-03', '2024-02', '2024-01']);
    expect(code(await gql(t.url, log, { p: provider, after: 'no-such-version' }))).toBe('BAD_USER_INPUT');

    // Pins on deprecated versions: three deployments pinning qualified versions that are then deprecated.
    for (const id of ids.slice(0, 3))
      await gqlOk(t.url, 'mutation($id: ID!) { setProviderVersionQualification(id: $id, status: QUALIFIED) { id } }', {
        id,
      });
    for (const [i, id] of ids.slice(0, 3).entries()) {
      await gqlOk(t.url, contractOp('RecordDeployment'), {
        input: {
          name: uniq(`pinned-${i}`),
          environment: 'prod',
          models: [],
          providerModels: [{ providerModelId: id }],
        },
      });
      await gqlOk(t.url, 'mutation($id: ID!) { deprecateProviderVersion(id: $id) { id } }', { id });
    }
    const pins =
      'query($first: Int, $after: String) { deploymentsOnDeprecatedProviderVersions(first: $first, after: $after) { cursor deploymentName providerModel { id } } }';
    await expectPagesCoverTheList(pins, {}, 'deploymentsOnDeprecatedProviderVersions', (p) => p.cursor, 3, true);
    const every: any[] = (await gqlOk(t.url, pins, { first: 500 })).deploymentsOnDeprecatedProviderVersions;
    expect(every.filter((p) => ids.includes(p.providerModel.id))).toHaveLength(3);
    expect(code(await gql(t.url, pins, { after: 'bm90IGEgY3Vyc29y' }))).toBe('BAD_USER_INPUT');
  });

  it('modelVersionsByFingerprint, webhooks, apiTokens, signingKeys', async () => {
    // Reproductions: versions of one run share its fingerprint.
    const dv = (
      await gqlOk(t.url, 'mutation($i: RegisterDatasetVersionInput!) { registerDatasetVersion(input: $i) { id } }', {
        i: { dataset: uniq('ds'), version: '1', hash: sha('d') },
      })
    ).registerDatasetVersion.id;
    const run = (
      await gqlOk(t.url, 'mutation($i: CreateRunInput!) { createRun(input: $i) { id } }', {
        i: { codeCommit: uniq('commit'), inputs: [{ datasetVersionId: dv, role: 'train' }], seeds: [1] },
      })
    ).createRun.id;
    let fingerprint = '';
    let model = '';
    for (let i = 0; i < 5; i++) {
      model = uniq('repro');
      fingerprint = (await registerVersion(t.url, model, { createModel: true, runId: run })).fingerprint!;
    }
    const repro =
      'query($f: String!, $first: Int, $after: String) { modelVersionsByFingerprint(fingerprint: $f, first: $first, after: $after) { id model { name } version } }';
    await expectPagesCoverTheList(repro, { f: fingerprint }, 'modelVersionsByFingerprint', (v) => v.id, 5);

    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const w = await gqlOk(
        t.url,
        'mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { webhook { id } } }',
        { i: { url: `http://127.0.0.1:9/${uniq('hook')}`, eventTypes: ['ALIAS_SET'] } },
      );
      created.push(w.registerWebhook.webhook.id);
    }
    try {
      const hooks = 'query($first: Int, $after: String) { webhooks(first: $first, after: $after) { id createdAt } }';
      await expectPagesCoverTheList(hooks, {}, 'webhooks', (w) => w.id, 3, true);
      const listed: any[] = (await gqlOk(t.url, hooks, { first: 500 })).webhooks;
      expect(listed.map((w) => w.id)).toEqual(expect.arrayContaining(created));
    } finally {
      for (const id of created) await gqlOk(t.url, 'mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id });
    }

    for (let i = 0; i < 3; i++)
      await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq('paged-token'), role: 'VIEWER' });
    await expectPagesCoverTheList(
      'query($first: Int, $after: String) { apiTokens(first: $first, after: $after) { id createdAt } }',
      {},
      'apiTokens',
      (k) => k.id,
      3,
      true,
    );
    // Pedigree's own key, made by its first attestation, at least.
    await gqlOk(t.url, contractOp('Attestation'), { ref: { modelName: model, version: 1 } });
    const keys = 'query($first: Int, $after: String) { signingKeys(first: $first, after: $after) { keyid principal } }';
    const listed = (await gqlOk(t.url, keys, { first: 10 })).signingKeys;
    expect(listed.length).toBeGreaterThanOrEqual(1);
    const pages = await walk(keys, {}, 'signingKeys', 1, (k) => k.keyid, 10);
    expect(pages.flat().slice(0, listed.length)).toEqual(listed);
    expect(code(await gql(t.url, keys, { after: 'sha256:none' }))).toBe('BAD_USER_INPUT');
  });
});

describe('datasetImpact pages its modelVersions, with page metadata beside them', () => {
  it('pages cover the set once, cursors resume, totalCount counts all; the contract operation still answers', async () => {
    const dv = (
      await gqlOk(t.url, 'mutation($i: RegisterDatasetVersionInput!) { registerDatasetVersion(input: $i) { id } }', {
        i: { dataset: uniq('impact'), version: '1', hash: sha('e') },
      })
    ).registerDatasetVersion.id;
    const run = (
      await gqlOk(t.url, 'mutation($i: CreateRunInput!) { createRun(input: $i) { id } }', {
        i: { inputs: [{ datasetVersionId: dv, role: 'train' }] },
      })
    ).createRun.id;
    const m = uniq('impacted');
    for (let i = 0; i < 5; i++) await registerVersion(t.url, m, { createModel: i === 0, runId: run });

    const contract = (await gqlOk(t.url, contractOp('DatasetImpact'), { datasetVersionId: dv })).datasetImpact
      .modelVersions;
    expect(contract.map((v: any) => v.version)).toEqual([1, 2, 3, 4, 5]);

    const q =
      'query($d: ID!, $first: Int, $after: String) { datasetImpact(datasetVersionId: $d, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } modelVersions { version } } }';
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await gqlOk(t.url, q, { d: dv, first: 2, after })).datasetImpact;
      expect(page.totalCount).toBe(5);
      seen.push(...page.modelVersions.map((v: any) => v.version));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(code(await gql(t.url, q, { d: dv, first: 501 }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(t.url, q, { d: dv, after: 'garbage' }))).toBe('BAD_USER_INPUT');
  });
});

describe('the cost analysis counts pages and caps', () => {
  it('refuses an operation nesting big pages over the cost limit, before running it', async () => {
    const r = await gql(
      t.url,
      '{ registeredModels(first: 500) { edges { node { tags { key value } aliases { alias version { version } } } } } }',
    );
    expect(code(r)).toBe('LIMIT_EXCEEDED');
    expect(r.errors?.[0]?.message).toMatch(/query cost is limited to 50000; this operation costs \d+/);
    const small = await gql(t.url, '{ registeredModels(first: 5) { edges { node { tags { key value } } } } }');
    expect(small.errors).toBeUndefined();
  });
});

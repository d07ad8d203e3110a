import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webDistDir } from '../../src/server/static.js';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The dashboard in a real browser: Debian's chromium (installed by .ci/run)
// driven by playwright-core, against a real server and Neo4j. Screenshots go
// to test-output/ (gitignored).
const CHROMIUM = process.env.PEDIGREE_CHROMIUM ?? '/usr/bin/chromium';
const OUT = resolve('test-output');
// Generous: a condition we wait for, not a timing we assert.
const WAIT = 30_000;
// The test server's admin token (test/support/server.ts), pasted into the UI like a user would.
const TOKEN = TEST_ADMIN_TOKEN;

let t: TestServer;
let browser: Browser;
let page: Page;
const n = { base: '', student: '', teacher: '' };
const ids: Record<string, string> = {};

/** Browser-side element as far as these tests look at it (the test tsconfig has no DOM lib). */
type El = { getAttribute(name: string): string | null; textContent: string | null };
const attrs = (loc: ReturnType<Page['locator']>, name: string) =>
  loc.evaluateAll((els, n) => els.map((e) => (e as unknown as El).getAttribute(n)), name);
const texts = (loc: ReturnType<Page['locator']>) => loc.evaluateAll((els) => els.map((e) => (e as unknown as El).textContent));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (as .ci/run does)`);
  if (!existsSync(resolve(webDistDir, 'index.html'))) throw new Error('the dashboard is not built: npm run web:build (npm test does it)');
  mkdirSync(OUT, { recursive: true });
  t = await startTestServer();

  // raw source → clean dataset → train run → student v1, fine-tuned from base v1 and distilled from teacher v1.
  const raw = await gqlOk(t.url, contractOp('RegisterDatasetVersion'), { input: { dataset: uniq('raw'), version: '1', hash: sha('1'), uri: 's3://raw/1', sources: [`s3://landing/${uniq('src')}.csv`] } });
  ids.raw = raw.registerDatasetVersion.id;
  const clean = await gqlOk(t.url, contractOp('RegisterDatasetVersion'), { input: { dataset: uniq('clean'), version: '1', hash: sha('2'), uri: 's3://clean/1', derivedFrom: [ids.raw] } });
  ids.clean = clean.registerDatasetVersion.id;
  const run = await gqlOk(t.url, contractOp('CreateRun'), { input: { name: 'train-student', codeCommit: 'c0ffee', inputs: [{ datasetVersionId: ids.clean, role: 'train' }] } });
  ids.run = run.createRun.id;
  const stamp = uniq('dash');
  n.base = await createModel(t.url, `${stamp}-base`, { description: 'a base model' });
  n.teacher = await createModel(t.url, `${stamp}-teacher`);
  n.student = await createModel(t.url, `${stamp}-student`, { description: 'fine-tuned and distilled' });
  await createVersion(t.url, n.base, { metrics: [{ key: 'acc', value: 0.81 }] });
  await createVersion(t.url, n.teacher, { metrics: [{ key: 'acc', value: 0.93 }] });
  const v1 = await createVersion(t.url, n.student, {
    runId: ids.run,
    baseModel: { modelName: n.base, version: 1 },
    teachers: [{ modelName: n.teacher, version: 1 }],
    metrics: [{ key: 'acc', value: 0.88 }, { key: 'f1', value: 0.84, segment: 'eu' }],
    tags: [{ key: 'team', value: 'risk' }],
  });
  ids.student1 = v1.id;
  await createVersion(t.url, n.student, { metrics: [{ key: 'acc', value: 0.9 }], tags: [{ key: 'candidate', value: 'true' }] });
  await gqlOk(t.url, contractOp('TransitionStage'), { ref: { modelName: n.student, version: 1 }, stage: 'STAGING', comment: 'offline eval passed' });
  await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: n.student, alias: 'live', version: 1 });
  ids.prediction = uniq('pred');
  await gqlOk(t.url, contractOp('LogPredictions'), { input: { model: { modelName: n.student, alias: 'live' }, predictions: [{ id: ids.prediction }] } });

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('dashboard in Chromium', () => {
  it('searches a model, shows its versions, and explores its lineage as a typed DAG', async () => {
    // The token is pasted once, kept for the tab, and sent as a bearer token on every request.
    const auth: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/graphql')) auth.push(r.headers().authorization);
    });
    await page.goto(`${t.url}/`);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'use token' }).click();
    await page.getByText('token set for this tab').waitFor({ timeout: WAIT });
    await page.getByLabel('search models').fill(n.student);
    const row = page.locator(`tr[data-model="${n.student}"]`);
    // The search is debounced: wait for the filtered page, not the first render.
    await expect.poll(() => page.locator('table.models tbody tr').count(), { timeout: WAIT }).toBe(1);
    await row.waitFor({ timeout: WAIT });
    await expect.poll(() => row.locator('.badge.alias').innerText(), { timeout: WAIT }).toContain('@live');
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.at(-1)).toBe(`Bearer ${TOKEN}`);
    await row.getByRole('link', { name: n.student }).click();

    const versions = page.getByTestId('versions');
    await versions.locator('tr[data-version="1"]').waitFor({ timeout: WAIT });
    expect(await versions.locator('tbody tr').count()).toBe(2);
    const v1 = await versions.locator('tr[data-version="1"]').innerText();
    expect(v1).toContain('acc = 0.88');
    expect(v1).toContain('team=risk');
    expect(v1).toContain('@live');
    expect(v1).toContain('STAGING');
    await page.getByTestId('alias-timeline').locator('li[data-sequence]').first().waitFor({ timeout: WAIT });
    await page.screenshot({ path: `${OUT}/model-page.png`, fullPage: true });

    await versions.locator('tr[data-version="1"]').getByRole('link', { name: 'lineage' }).click();
    const graph = page.getByTestId('lineage-graph');
    await graph.locator(`.lnode[data-node-id="${ids.raw}"]`).waitFor({ timeout: WAIT });
    const kinds = await attrs(graph.locator('.lnode'), 'data-kind');
    // student v1 (root), its run, clean and raw dataset versions, the raw source, base v1, teacher v1.
    expect(kinds.sort()).toEqual(['DataSource', 'DatasetVersion', 'DatasetVersion', 'ModelVersion', 'ModelVersion', 'ModelVersion', 'Run']);
    for (const rel of ['USED', 'DERIVED_FROM', 'FINE_TUNED_FROM', 'DISTILLED_FROM', 'PRODUCED_BY']) {
      expect(await graph.locator(`.react-flow__edge.rel-${rel}`).count(), rel).toBeGreaterThan(0);
    }
    expect(await texts(graph.locator('.react-flow__edge-text'))).toEqual(expect.arrayContaining(['trained on', 'derived from', 'fine-tuned from', 'distilled from']));
    await page.locator('[data-testid=lineage-graph][data-fitted=true]').waitFor({ timeout: WAIT });
    await page.screenshot({ path: `${OUT}/lineage.png` });

    // Depth 1 keeps only direct dependencies; clicking a node re-centres on it.
    await page.getByLabel('depth').selectOption('1');
    await expect.poll(() => graph.locator('.lnode').count(), { timeout: WAIT }).toBe(4);
    await graph.locator(`.lnode[data-kind="Run"]`).click();
    await expect.poll(() => page.url(), { timeout: WAIT }).toContain(encodeURIComponent(ids.run!));

    // From the prediction: its trace to the raw source is highlighted.
    await page.goto(`${t.url}/#/lineage/${encodeURIComponent(ids.prediction!)}?depth=10`);
    await graph.locator(`.lnode[data-node-id="${ids.raw}"]`).waitFor({ timeout: WAIT });
    const onPath = await attrs(graph.locator('.lnode.on-path'), 'data-kind');
    expect(onPath).toEqual(expect.arrayContaining(['Prediction', 'ModelVersion', 'Run', 'DatasetVersion', 'DataSource']));
    expect(await graph.locator('.react-flow__edge.on-path').count()).toBeGreaterThanOrEqual(5);
    await page.locator('[data-testid=lineage-graph][data-fitted=true]').waitFor({ timeout: WAIT });
    await page.screenshot({ path: `${OUT}/prediction-trace.png` });

    // The analytics page draws its charts from the analytics queries without an error.
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.locator('.recharts-surface').first().waitFor({ timeout: WAIT });
    expect(await page.locator('.panel').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('[role=alert]').count()).toBe(0);
    await page.screenshot({ path: `${OUT}/analytics.png`, fullPage: true });
  });

  it('updates the alias timeline and badges live when an alias moves through the API', async () => {
    // A pending promotion of v2 to the protected `production` alias shows with its rule.
    const req = await gqlOk(t.url, contractOp('RequestPromotion'), { ref: { modelName: n.student, version: 2 }, target: { alias: 'production' }, evidence: [] });
    await page.goto(`${t.url}/#/models/${encodeURIComponent(n.student)}`);
    const request = page.getByTestId('promotion-requests').locator(`li[data-request="${req.requestPromotion.id}"]`);
    await request.waitFor({ timeout: WAIT });
    expect(await request.innerText()).toMatch(/PENDING\s*v2 →\s*@production/);
    const timeline = page.getByTestId('alias-timeline');
    await timeline.locator('li[data-sequence]').first().waitFor({ timeout: WAIT });
    expect(await timeline.locator('li[data-sequence]').count()).toBe(1);
    await expect.poll(() => page.getByTestId('live-mode').innerText(), { timeout: WAIT }).toMatch(/live/);

    const moved = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: n.student, alias: 'live', version: 2 });
    const entry = timeline.locator(`li[data-sequence="${moved.setRegisteredModelAlias.sequence}"]`);
    await entry.waitFor({ timeout: WAIT });
    expect(await entry.innerText()).toMatch(/v1 →\s*v2/);
    await expect.poll(() => page.getByTestId('alias-badges').innerText(), { timeout: WAIT }).toContain('@live → v2');
    await expect.poll(() => page.getByTestId('versions').locator('tr[data-version="2"]').innerText(), { timeout: WAIT }).toContain('@live');
    await page.screenshot({ path: `${OUT}/model-page-live.png` });

    // Time travel: what `live` points to just after the move.
    await page.getByLabel('instant (UTC)').fill(new Date(Date.now() + 2000).toISOString().slice(0, 19));
    await page.getByRole('button', { name: 'look up' }).click();
    await expect.poll(() => page.getByTestId('alias-at-result').innerText(), { timeout: WAIT }).toContain('v2');
  });
});

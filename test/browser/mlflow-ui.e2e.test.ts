import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { mlflow } from '../support/governed.js';
import { gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchChromium } from './support.js';

// MLflow's own UI (the static build inside the `mlflow` wheel pinned in
// test/mlflow-ui/requirements.txt, installed by test/mlflow-ui/setup.sh) served
// by Pedigree at /mlflow/ against its MLflow API, in Debian's Chromium. Every
// page must render with no failed request and no console error. The browser
// holds a VIEWER token: the UI's pages only read.
const OUT = resolve('test-output');
// Generous: a condition we wait for, not a timing we assert.
const WAIT = 60_000;

let t: TestServer;
let browser: Browser;
let page: Page;
let base = '';
const seed = { experimentId: '', experimentName: '', runId: '', model: '' };
const problems: string[] = [];
const chartResponses: { url: string; body: any }[] = [];
/** Requests the page has sent and not yet seen finish or fail. */
const inFlight = new Set<unknown>();

/** Browser-side element as far as this test looks at it (the test tsconfig has no DOM lib). */
type El = { textContent: string | null };

/** Waits until no request has been in flight for a second: a page left then aborts nothing. */
async function settle(): Promise<void> {
  const until = Date.now() + WAIT;
  let quietSince = Date.now();
  while (Date.now() < until) {
    if (inFlight.size > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 1000) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `requests still in flight after ${WAIT} ms: ${[...inFlight].map((r) => (r as { url(): string }).url()).join(', ')}`,
  );
}

async function visit(hash: string, shot: string, ...texts: string[]): Promise<void> {
  await page.goto(`${base}/mlflow/${hash}`);
  for (const text of texts) {
    // A page that never shows its text says what went wrong on the way (failed requests, console errors).
    await page
      .getByText(text, { exact: true })
      .first()
      .waitFor({ timeout: WAIT })
      .catch((err: Error) => {
        throw new Error(`${hash}: "${text}" never shown; problems so far: ${JSON.stringify(problems)}`, { cause: err });
      });
  }
  await settle();
  await page.screenshot({ path: resolve(OUT, `mlflow-ui-${shot}.png`) });
}

beforeAll(async () => {
  // The wheel's UI build, installed once per machine (pip's cache makes a reinstall quick).
  const uiDir = execFileSync('bash', ['test/mlflow-ui/setup.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  mkdirSync(OUT, { recursive: true });
  t = await startTestServer({ PEDIGREE_MLFLOW_UI: uiDir });
  base = t.url.replace(/\/graphql$/, '');

  // What an MLflow user has: an experiment, a finished run with a metric over steps, params and a tag,
  // a registered model with a version from that run, an alias and tags — written through MLflow's API.
  const as = (method: string, path: string, body?: Record<string, unknown>) =>
    mlflow(t.url, TEST_ADMIN_TOKEN, method, path, body).then((r) => {
      if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    });
  seed.experimentName = uniq('ui-exp');
  seed.experimentId = (await as('POST', 'experiments/create', { name: seed.experimentName })).experiment_id;
  const run = await as('POST', 'runs/create', {
    experiment_id: seed.experimentId,
    run_name: 'ui-training-run',
    start_time: Date.now(),
  });
  seed.runId = run.run.info.run_id;
  const now = Date.now();
  await as('POST', 'runs/log-batch', {
    run_id: seed.runId,
    metrics: [
      ...[0, 1, 2, 3, 4].map((step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: now + step, step })),
      { key: 'accuracy', value: 0.9, timestamp: now, step: 0 },
    ],
    params: [{ key: 'learning_rate', value: '0.1' }],
    tags: [{ key: 'team', value: 'risk' }],
  });
  await as('POST', 'runs/update', { run_id: seed.runId, status: 'FINISHED', end_time: Date.now() });
  seed.model = uniq('ui-model');
  await as('POST', 'registered-models/create', { name: seed.model, description: 'scores card transactions' });
  await as('POST', 'registered-models/set-tag', { name: seed.model, key: 'owner-team', value: 'risk' });
  await as('POST', 'model-versions/create', {
    name: seed.model,
    source: 's3://ui/model/1',
    run_id: seed.runId,
    tags: [
      { key: 'pedigree.checksum', value: sha('c') },
      { key: 'validated', value: 'offline' },
    ],
  });
  await as('POST', 'registered-models/alias', { name: seed.model, alias: 'candidate', version: '1' });

  const viewer = (await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq('ui-viewer'), role: 'VIEWER' }))
    .createApiToken.token as string;
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1400, height: 900 },
    extraHTTPHeaders: { authorization: `Bearer ${viewer}` },
  });
  // A web worker's script (the UI's telemetry worker) is fetched outside the page's request
  // lifecycle: Chromium reports it starting but never finishing, so it is not waited for.
  page.on('request', (r) => {
    if (!r.url().endsWith('.worker.js')) inFlight.add(r);
  });
  page.on('requestfinished', (r) => inFlight.delete(r));
  page.on('requestfailed', (r) => {
    inFlight.delete(r);
    problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', async (r) => {
    if (r.status() >= 400)
      problems.push(
        `HTTP ${r.status()}: ${r.request().method()} ${r.url()} ${(await r.text().catch(() => '')).slice(0, 300)}`,
      );
    if (r.url().includes('metrics/get-history-bulk-interval') && r.ok())
      chartResponses.push({ url: r.url(), body: await r.json() });
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message.slice(0, 300)}`));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the MLflow UI against Pedigree, in Chromium', () => {
  it('renders the experiments list, a run with its metric charts, the registered models, a model and a version with aliases and tags', async () => {
    await visit('#/experiments', 'experiments', seed.experimentName);

    await visit(
      `#/experiments/${seed.experimentId}/runs/${seed.runId}`,
      'run',
      'ui-training-run',
      'learning_rate',
      '0.1',
    );

    // The run's charts: the loss curve comes from get-history-bulk-interval with every step.
    await visit(
      `#/experiments/${seed.experimentId}/runs/${seed.runId}/model-metrics`,
      'run-charts',
      'loss',
      'accuracy',
    );
    await page.locator('.js-plotly-plot .scatterlayer .trace').first().waitFor({ timeout: WAIT });
    await settle();
    await page.screenshot({ path: resolve(OUT, 'mlflow-ui-run-charts.png') });
    const loss = chartResponses.find((c) => new URL(c.url).searchParams.get('metric_key') === 'loss');
    expect(
      loss?.body.metrics.map((m: { step: number; value: number; run_id: string }) => [m.run_id, m.step, m.value]),
    ).toEqual([0, 1, 2, 3, 4].map((s) => [seed.runId, s, 1 / (s + 1)]));

    // The list is paged and sorted by name over every model this database holds (other test files leave
    // theirs behind), so the seeded one is asked for by the list's own search, given in its URL (as the
    // UI writes it when one searches): typing into the box raced the unfiltered first page's answer.
    await visit(`#/models?searchInput=${encodeURIComponent(seed.model)}`, 'models', seed.model);
    await visit(`#/models/${encodeURIComponent(seed.model)}`, 'model', 'Version 1', 'scores card transactions');
    // The alias, in the versions table (from model-versions/search). The version page shows aliases
    // from the UI's store of models, which the UI itself replaces with the first page of
    // registered-models/search: past 100 models (as in a full test run) it drops this one's.
    await page.locator('text=candidate').first().waitFor({ timeout: WAIT });
    const aliases = await page
      .locator('text=candidate')
      .evaluateAll((els) => els.map((e) => (e as unknown as El).textContent));
    expect(aliases.join(' ')).toContain('candidate');
    await visit(
      `#/models/${encodeURIComponent(seed.model)}/versions/1`,
      'version',
      'Version 1',
      'validated',
      'offline',
    );

    expect(problems).toEqual([]);
  }, 600_000);
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { attrs, axeViolations, launch, OUT, person, texts, WAIT, type Person } from './support.js';

// Browsing the dashboard: models, versions, the typed lineage DAG, the live
// alias timeline; and what a user notices: favicon, titles, keyboard, focus,
// no console errors, no serious accessibility violations on any page.

let t: TestServer;
/** The dashboard's origin (t.url is the GraphQL endpoint). */
let base = '';
let browser: Browser;
let me: Person;
const n = { base: '', student: '', teacher: '' };
const ids: Record<string, string> = {};
let requestId = '';

beforeAll(async () => {
  t = await startTestServer();
  base = t.url.replace(/\/graphql$/, '');
  // raw source → clean dataset → train run → student v1, fine-tuned from base v1 and distilled from teacher v1.
  const raw = await gqlOk(t.url, contractOp('RegisterDatasetVersion'), {
    input: {
      dataset: uniq('raw'),
      version: '1',
      hash: sha('1'),
      uri: 's3://raw/1',
      sources: [`s3://landing/${uniq('src')}.csv`],
    },
  });
  ids.raw = raw.registerDatasetVersion.id;
  const clean = await gqlOk(t.url, contractOp('RegisterDatasetVersion'), {
    input: { dataset: uniq('clean'), version: '1', hash: sha('2'), uri: 's3://clean/1', derivedFrom: [ids.raw] },
  });
  ids.clean = clean.registerDatasetVersion.id;
  const run = await gqlOk(t.url, contractOp('CreateRun'), {
    input: { name: 'train-student', codeCommit: 'c0ffee', inputs: [{ datasetVersionId: ids.clean, role: 'train' }] },
  });
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
    metrics: [
      { key: 'acc', value: 0.88 },
      { key: 'f1', value: 0.84, segment: 'eu' },
    ],
    tags: [{ key: 'team', value: 'risk' }],
  });
  ids.student1 = v1.id;
  await createVersion(t.url, n.student, {
    metrics: [{ key: 'acc', value: 0.9 }],
    tags: [{ key: 'candidate', value: 'true' }],
  });
  await gqlOk(t.url, contractOp('TransitionStage'), {
    ref: { modelName: n.student, version: 1 },
    stage: 'STAGING',
    comment: 'offline eval passed',
  });
  await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: n.student, alias: 'live', version: 1 });
  ids.prediction = uniq('pred');
  await gqlOk(t.url, contractOp('LogPredictions'), {
    input: { model: { modelName: n.student, alias: 'live' }, predictions: [{ id: ids.prediction }] },
  });
  await gqlOk(t.url, contractOp('RecordDeployment'), {
    input: {
      name: uniq('student-api'),
      environment: 'staging',
      models: [{ ref: { modelName: n.student, alias: 'live' }, checksum: sha('a') }],
    },
  });
  browser = await launch();
  me = await person(browser, null);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('dashboard in Chromium', () => {
  it('searches a model, shows its versions, and explores its lineage as a typed DAG', async () => {
    const { page } = me;
    // The token is pasted once, kept for the tab, and sent as a bearer token on every request.
    const auth: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/graphql')) auth.push(r.headers().authorization);
    });
    await page.goto(`${base}/`);
    await page.getByLabel('API token').fill(TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'use token' }).click();
    await expect
      .poll(() => page.getByTestId('signed-in').innerText(), { timeout: WAIT })
      .toMatch(/signed in as admin\s*ADMIN/);
    await page.getByLabel('search models').fill(n.student);
    const row = page.locator(`tr[data-model="${n.student}"]`);
    // The search is debounced: wait for the filtered page, not the first render.
    await expect.poll(() => page.locator('table.models tbody tr').count(), { timeout: WAIT }).toBe(1);
    await row.waitFor({ timeout: WAIT });
    await expect.poll(() => row.locator('.badge.alias').innerText(), { timeout: WAIT }).toContain('@live');
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.at(-1)).toBe(`Bearer ${TEST_ADMIN_TOKEN}`);
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
    expect(await page.title()).toBe(`${n.student} · Models · Pedigree`);

    await versions.locator('tr[data-version="1"]').getByRole('link', { name: 'lineage of v1' }).click();
    const graph = page.getByTestId('lineage-graph');
    await graph.locator(`.lnode[data-node-id="${ids.raw}"]`).waitFor({ timeout: WAIT });
    const kinds = await attrs(graph.locator('.lnode'), 'data-kind');
    // student v1 (root), its run, clean and raw dataset versions, the raw source, base v1, teacher v1.
    expect(kinds.sort()).toEqual([
      'DataSource',
      'DatasetVersion',
      'DatasetVersion',
      'ModelVersion',
      'ModelVersion',
      'ModelVersion',
      'Run',
    ]);
    for (const rel of ['USED', 'DERIVED_FROM', 'FINE_TUNED_FROM', 'DISTILLED_FROM', 'PRODUCED_BY']) {
      expect(await graph.locator(`.react-flow__edge.rel-${rel}`).count(), rel).toBeGreaterThan(0);
    }
    expect(await texts(graph.locator('.react-flow__edge-text'))).toEqual(
      expect.arrayContaining(['trained on', 'derived from', 'fine-tuned from', 'distilled from']),
    );
    await page.locator('[data-testid=lineage-graph][data-fitted=true]').waitFor({ timeout: WAIT });
    await page.screenshot({ path: `${OUT}/lineage.png` });

    // Depth 1 keeps only direct dependencies; opening a node re-centres on it.
    await page.getByLabel('depth').selectOption('1');
    await expect.poll(() => graph.locator('.lnode').count(), { timeout: WAIT }).toBe(4);
    await graph.locator(`.lnode[data-kind="Run"] a`).click();
    await expect.poll(() => page.url(), { timeout: WAIT }).toContain(encodeURIComponent(ids.run!));

    // From the prediction: its trace to the raw source is highlighted.
    await page.goto(`${base}/#/lineage/${encodeURIComponent(ids.prediction!)}?depth=10`);
    await graph.locator(`.lnode[data-node-id="${ids.raw}"]`).waitFor({ timeout: WAIT });
    const onPath = await attrs(graph.locator('.lnode.on-path'), 'data-kind');
    expect(onPath).toEqual(
      expect.arrayContaining(['Prediction', 'ModelVersion', 'Run', 'DatasetVersion', 'DataSource']),
    );
    expect(await graph.locator('.react-flow__edge.on-path').count()).toBeGreaterThanOrEqual(5);
    await page.locator('[data-testid=lineage-graph][data-fitted=true]').waitFor({ timeout: WAIT });
    await page.screenshot({ path: `${OUT}/lineage-explorer.png` });

    // The analytics page draws its charts from the analytics queries without an error.
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.locator('.recharts-surface').first().waitFor({ timeout: WAIT });
    expect(await page.locator('.panel').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('[role=alert]').count()).toBe(0);
  });

  it('updates the alias timeline, badges and requests live when the registry changes through the API', async () => {
    const { page } = me;
    await page.goto(`${base}/#/models/${encodeURIComponent(n.student)}`);
    const timeline = page.getByTestId('alias-timeline');
    await timeline.locator('li[data-sequence]').first().waitFor({ timeout: WAIT });
    expect(await timeline.locator('li[data-sequence]').count()).toBe(1);
    await expect.poll(() => page.getByTestId('live-mode').first().innerText(), { timeout: WAIT }).toMatch(/live/);

    // A request made elsewhere shows on the open page: pending, for the protected alias.
    requestId = (
      await gqlOk(t.url, contractOp('RequestPromotion'), {
        ref: { modelName: n.student, version: 2 },
        target: { alias: 'production' },
        evidence: [],
      })
    ).requestPromotion.id;
    const request = page.getByTestId('promotion-requests').locator(`article[data-request="${requestId}"]`);
    await request.waitFor({ timeout: WAIT });
    expect(await request.innerText()).toMatch(/v2 →\s*🔒\s*@production\s*PENDING/);

    const moved = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
      modelName: n.student,
      alias: 'live',
      version: 2,
    });
    const entry = timeline.locator(`li[data-sequence="${moved.setRegisteredModelAlias.sequence}"]`);
    await entry.waitFor({ timeout: WAIT });
    expect(await entry.innerText()).toMatch(/v1 →\s*v2/);
    await expect.poll(() => page.getByTestId('alias-badges').innerText(), { timeout: WAIT }).toContain('@live → v2');
    await expect
      .poll(() => page.getByTestId('versions').locator('tr[data-version="2"]').innerText(), { timeout: WAIT })
      .toContain('@live');
    // A tag and a stage change made elsewhere show too, without reloading the page.
    await gqlOk(t.url, contractOp('SetModelVersionTag'), {
      ref: { modelName: n.student, version: 2 },
      key: 'reviewed',
      value: 'yes',
    });
    await gqlOk(t.url, contractOp('TransitionStage'), { ref: { modelName: n.student, version: 2 }, stage: 'STAGING' });
    await expect
      .poll(() => page.getByTestId('versions').locator('tr[data-version="2"]').innerText(), { timeout: WAIT })
      .toMatch(/reviewed=yes[\s\S]*|STAGING/);
    await expect
      .poll(() => page.getByTestId('versions').locator('tr[data-version="2"]').innerText(), { timeout: WAIT })
      .toContain('STAGING');
    await page.screenshot({ path: `${OUT}/model-page.png`, fullPage: true });

    // Time travel: what `live` points to just after the move.
    await page.getByLabel('instant (UTC)').fill(new Date(Date.now() + 2000).toISOString().slice(0, 19));
    await page.getByRole('button', { name: 'look up' }).click();
    await expect.poll(() => page.getByTestId('alias-at-result').innerText(), { timeout: WAIT }).toContain('v2');
  });

  it('has a favicon, a title per page, a skip link and visible keyboard focus', async () => {
    const { page } = me;
    const icon = await fetch(`${base}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    expect((await fetch(`${base}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');

    const titles: Record<string, string> = {
      '#/models': 'Models · Pedigree',
      '#/inbox': 'Inbox · Pedigree',
      '#/search': 'Search · Pedigree',
      '#/deployments': 'Deployments · Pedigree',
      '#/analytics': 'Analytics · Pedigree',
      '#/verify': 'Verify an attestation · Pedigree',
      '#/webhooks': 'Webhooks · Pedigree',
      [`#/models/${encodeURIComponent(n.student)}?version=1`]: `${n.student} v1 · Models · Pedigree`,
      [`#/requests/${requestId}`]: `Request: ${n.student} v2 · Pedigree`,
    };
    for (const [route, title] of Object.entries(titles)) {
      await page.goto(`${base}/${route}`);
      await expect.poll(() => page.title(), { timeout: WAIT }).toBe(title);
    }

    // Keyboard: the first Tab reaches the skip link, which is visible when focused and moves focus to the content.
    await page.goto(`${base}/#/models`);
    // A fresh load (going to a hash of the page already open only changes the route, and moves focus to the content).
    await page.reload();
    await page.locator('table.models').waitFor({ timeout: WAIT });
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((e) => e === (globalThis as any).document.activeElement)).toBe(true);
    expect((await skip.boundingBox())!.x).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('main');
    // Tabbing on reaches the content's first control (the models page's search box), then a link, each with a visible
    // focus outline.
    const focusNow = () =>
      page.evaluate(() => {
        const el = (globalThis as any).document.activeElement;
        const s = (globalThis as any).getComputedStyle(el);
        return {
          tag: el.tagName,
          label: el.getAttribute('aria-label'),
          inMain: !!el.closest('main'),
          outline: s.outlineStyle,
          width: s.outlineWidth,
        };
      });
    await page.keyboard.press('Tab');
    const first = await focusNow();
    expect(first).toMatchObject({ tag: 'INPUT', label: 'search models', inMain: true });
    expect(first.outline).not.toBe('none');
    expect(first.width).not.toBe('0px');
    let focused = first;
    for (let i = 0; i < 10 && focused.tag !== 'A'; i++) {
      await page.keyboard.press('Tab');
      focused = await focusNow();
    }
    expect(focused.tag).toBe('A');
    expect(focused.inMain).toBe(true);
    expect(focused.outline).not.toBe('none');
    expect(focused.width).not.toBe('0px');
    // Every action opens a dialog that Escape closes, returning focus to its button.
    await page.goto(`${base}/#/models/${encodeURIComponent(n.student)}?version=2`);
    const add = page.getByTestId('version-tags-add');
    await add.focus();
    await page.keyboard.press('Enter');
    await page.locator('dialog[open]').waitFor({ timeout: WAIT });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog[open]').count(), { timeout: WAIT }).toBe(0);
    expect(await add.evaluate((e) => e === (globalThis as any).document.activeElement)).toBe(true);
  });

  it('has no serious or critical accessibility violations on any page (axe-core)', async () => {
    const { page } = me;
    const ready: [string, string][] = [
      ['#/models', 'table.models'],
      [`#/models/${encodeURIComponent(n.student)}`, '[data-testid=versions]'],
      [`#/models/${encodeURIComponent(n.student)}?version=1`, '[data-testid=model-card] .card-section'],
      ['#/inbox', '[data-testid=inbox] article, [data-testid=inbox-empty]'],
      [`#/requests/${requestId}`, '[data-testid=promotion-card]'],
      ['#/search?tag=team&tagValue=risk', '[data-testid=search-results]'],
      ['#/deployments', '[data-testid=deployments]'],
      [`#/lineage/${encodeURIComponent(ids.student1!)}`, '[data-testid=lineage-graph][data-fitted=true]'],
      ['#/analytics', '.recharts-surface'],
      ['#/verify', 'textarea'],
      ['#/webhooks', 'h1'],
    ];
    const found: Record<string, unknown> = {};
    for (const [route, selector] of ready) {
      await page.goto(`${base}/${route}`);
      await page.locator(selector).first().waitFor({ timeout: WAIT });
      const v = await axeViolations(page);
      if (v.length) found[route] = v;
    }
    // A confirmation dialog, open.
    await page.goto(`${base}/#/models/${encodeURIComponent(n.student)}?version=1`);
    await page.getByTestId('request-promotion').click();
    await page.locator('dialog[open]').waitFor({ timeout: WAIT });
    const dialog = await axeViolations(page);
    if (dialog.length) found['request-promotion dialog'] = dialog;
    expect(found).toEqual({});
  });

  it('logged no console error on any page it opened', () => {
    expect(me.errors).toEqual([]);
  });
});

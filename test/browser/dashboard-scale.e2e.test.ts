import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion, logManyPredictions } from '../support/fixtures.js';
import { gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { attrs, axeViolations, launch, open, OUT, person, WAIT, type Person } from './support.js';

// The dashboard at scale and in time: a version with 20,000 predictions in
// the lineage explorer (grouped with a count, opened on demand, all in the
// URL), and what ran where at an instant picked in the time picker.

let t: TestServer;
let base = '';
let browser: Browser;
let me: Person;
const LINEAGE = `query($id: ID!, $direction: LineageDirection!, $depth: Int, $grouping: LineageGroupingInput) {
  lineage(id: $id, direction: $direction, depth: $depth, grouping: $grouping) { truncated groups { id count } }
}`;

beforeAll(async () => {
  t = await startTestServer();
  base = t.url.replace(/\/graphql$/, '');
  browser = await launch();
  me = await person(browser, TEST_ADMIN_TOKEN);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the dashboard at scale and in time', () => {
  it('explores a version with 20,000 predictions as one counted group, opened 25 at a time from the URL', async () => {
    const model = await createModel(t.url, uniq('wide'));
    const v = await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.9 }] });
    const stamp = uniq('p');
    await logManyPredictions(t.url, model, 1, stamp, 20_000);
    const { page } = me;
    // The server's part of the first paint, for the report (measured, not asserted).
    const asked = performance.now();
    await gqlOk(t.url, LINEAGE, { id: v.id, direction: 'DOWNSTREAM', depth: 5, grouping: { above: 8, expand: [] } });
    const serverMs = Math.round(performance.now() - asked);
    await open(me, base, `#/lineage/${encodeURIComponent(v.id)}?direction=DOWNSTREAM`);
    const graph = page.locator('[data-testid=lineage-graph][data-fitted=true]');
    await graph.waitFor({ timeout: WAIT });
    // Two nodes drawn: the version and one group of its 20,000 predictions.
    expect(await graph.locator('.lnode').count()).toBe(2);
    const group = graph.locator('.lnode.group[data-kind=Prediction]');
    expect(await group.getAttribute('data-count')).toBe('20000');
    expect(await group.locator('.kind').innerText()).toContain('Prediction ×20,000');
    // What the first paint took in this browser, for the report (measured, not asserted).
    console.info(
      `lineage of a version with 20,000 predictions: grouped query ${serverMs} ms; graph framed ${await page.getByTestId('lineage-graph').getAttribute('data-first-paint-ms')} ms after navigation start`,
    );
    await page.screenshot({ path: `${OUT}/lineage-grouped.png` });
    expect(await axeViolations(page)).toEqual([]);

    // "show 25 more" opens the group by a link: the URL says which group and how many.
    await group.getByRole('link', { name: /show 25 more of 20,000 Prediction/ }).click();
    const opened = page.locator('[data-testid=lineage-graph] .lnode[data-kind=Prediction]:not(.group)');
    await expect.poll(() => opened.count(), { timeout: WAIT }).toBe(25);
    expect(new URLSearchParams(page.url().split('?')[1]).get('expand')).toMatch(/^group:[0-9a-f]+~25$/);
    const shown = (await attrs(opened, 'data-node-id')).sort();
    expect(shown).toEqual(Array.from({ length: 25 }, (_, i) => `${stamp}-${String(i).padStart(5, '0')}`));
    await expect
      .poll(
        () => page.locator('[data-testid=lineage-graph] .lnode.group[data-kind=Prediction]').getAttribute('data-count'),
        { timeout: WAIT },
      )
      .toBe('19975');
    // The same link in a fresh tab draws the same graph.
    const again = await me.context.newPage();
    await again.goto(page.url());
    await expect
      .poll(() => again.locator('[data-testid=lineage-graph] .lnode[data-kind=Prediction]:not(.group)').count(), {
        timeout: WAIT,
      })
      .toBe(25);
    await again.close();
    // Folding it returns to the single group.
    await page
      .locator('[data-testid=lineage-graph] .lnode.group')
      .getByRole('link', { name: /hide the shown Prediction nodes/ })
      .click();
    await expect.poll(() => opened.count(), { timeout: WAIT }).toBe(0);
    expect(me.errors).toEqual([]);
  }, 240_000);

  it('shows what ran where at an instant picked in the time picker, as a shareable link', async () => {
    const model = await createModel(t.url, uniq('deployed'));
    await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.9 }] });
    await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.91 }] });
    // Names that sort first, so ours are on the first page whatever else the shared database holds.
    const prefix = `0-${uniq('dash')}`;
    const record = (name: string, version: number) =>
      gqlOk(t.url, contractOp('RecordDeployment'), {
        input: { name, environment: 'staging', models: [{ ref: { modelName: model, version }, checksum: sha('a') }] },
      });
    await record(`${prefix}-a`, 1);
    // The picker has whole seconds: wait for the next second, which is then after the first record and before the rest.
    await new Promise((r) => setTimeout(r, 1050 - (Date.now() % 1000)));
    const between = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await record(`${prefix}-a`, 2);
    await record(`${prefix}-b`, 2);

    const { page } = me;
    await open(me, base, '#/deployments');
    const table = page.getByTestId('deployments');
    const serves = async (p = page) =>
      Object.fromEntries(
        await p
          .locator(`[data-testid=deployments] tr[data-deployment^="${prefix}"]`)
          .evaluateAll((rows) =>
            rows.map((r) => [
              (r as unknown as { getAttribute(n: string): string }).getAttribute('data-deployment'),
              (r as unknown as { children: { textContent: string }[] }).children[2]!.textContent,
            ]),
          ),
      );
    await table.locator(`tr[data-deployment="${prefix}-b"]`).waitFor({ timeout: WAIT });
    expect(await serves()).toEqual({ [`${prefix}-a`]: `${model} v2`, [`${prefix}-b`]: `${model} v2` });

    await page.getByLabel('instant (UTC)').fill(between.slice(0, 19));
    await page.getByRole('button', { name: 'show', exact: true }).click();
    await expect.poll(() => page.url(), { timeout: WAIT }).toContain(`#/deployments?at=${encodeURIComponent(between)}`);
    await expect.poll(() => serves(), { timeout: WAIT }).toEqual({ [`${prefix}-a`]: `${model} v1` });
    // The link alone shows the same instant.
    const fresh = await me.context.newPage();
    await fresh.goto(page.url());
    await fresh.locator(`tr[data-deployment="${prefix}-a"]`).waitFor({ timeout: WAIT });
    expect(await serves(fresh)).toEqual({ [`${prefix}-a`]: `${model} v1` });
    await fresh.close();
    // "now" returns to the present.
    await page.getByRole('button', { name: 'now', exact: true }).click();
    await expect
      .poll(() => serves(), { timeout: WAIT })
      .toEqual({ [`${prefix}-a`]: `${model} v2`, [`${prefix}-b`]: `${model} v2` });
    expect(me.errors).toEqual([]);
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { as, gql, gqlOk, uniq } from '../support/graphql.js';
import { makePeople, promote, type People, type Who } from '../support/governed.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  accepted,
  attrs,
  axeViolations,
  confirmAction,
  launch,
  open,
  OUT,
  person,
  WAIT,
  type Person,
} from './support.js';

// Doing the work in the dashboard: every action by the role that may take it,
// its confirmation saying what will happen, the server's refusal shown
// verbatim, the page updated by live events; buttons absent for roles that
// cannot use them; the promotions inbox; model card edits; the verified
// badge; search deep links; and a version carried from DEVELOPMENT to the
// protected `production` alias entirely in the browser.

let t: TestServer;
let base = '';
let browser: Browser;
let p: People;
const people = {} as Record<Who, Person>;
let model = '';

const Q_VERSION =
  'query($n: String!, $v: Int!) { modelVersion(modelName: $n, version: $v) { stage tags { key value } } }';
const Q_ALIAS = 'query($n: String!, $a: String!) { modelVersionByAlias(modelName: $n, alias: $a) { version } }';
const ROLLBACK =
  'mutation($n: String!, $a: String!, $v: Int!, $r: String!) { rollback(modelName: $n, alias: $a, version: $v, reason: $r) { sequence } }';
const versionUrl = (name: string, v: number) => `#/models/${encodeURIComponent(name)}?version=${v}`;

beforeAll(async () => {
  t = await startTestServer();
  base = t.url.replace(/\/graphql$/, '');
  p = await makePeople(t.url);
  model = await createModel(t.url, uniq('actions'));
  await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: model, owners: [p.names.owner] });
  for (const auc of [0.81, 0.86, 0.9])
    await createVersion(t.url, model, {
      metrics: [{ key: 'auc', value: auc }],
      tags: [{ key: 'team', value: 'risk' }],
    });
  // v1 is behind the protected alias `production` already (so a later promotion has something to be compared with, and
  // rolled back to),
  // after v4 was there for a while and rolled back (so the alias has an earlier target from the start).
  await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.7 }] });
  for (const version of [1, 4]) {
    await gqlOk(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: model, version }, stage: 'STAGING' },
      as(p.tokens.contributor),
    );
    await promote(t.url, p, { modelName: model, version }, { alias: 'production' });
  }
  await gqlOk(t.url, ROLLBACK, { n: model, a: 'production', v: 1, r: 'v4 was a trial' }, as(p.tokens.reviewer));
  browser = await launch();
  for (const who of Object.keys(p.tokens) as Who[]) people[who] = await person(browser, p.tokens[who]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The action buttons a page shows, by test id. */
const buttons = async (page: Person['page']) =>
  (await attrs(page.locator('button.action[data-testid]'), 'data-testid')).filter((x): x is string => !!x).sort();

describe('the dashboard, doing the work', () => {
  it('shows each principal exactly the actions its role may take', async () => {
    const seen: Record<string, string[]> = {};
    for (const who of ['viewer', 'contributor', 'reviewer', 'admin'] as const) {
      const { page } = people[who];
      await open(people[who], base, versionUrl(model, 2));
      await page.getByTestId('model-card').locator('.card-section').first().waitFor({ timeout: WAIT });
      await page.getByTestId('signed-in').getByText(p.names[who]).waitFor({ timeout: WAIT });
      seen[who] = (await buttons(page)).filter((b) => !b.startsWith('remove-tag') && !b.startsWith('edit-'));
    }
    expect(seen.viewer).toEqual([]);
    const contributor = [
      'add-section',
      'record-evidence',
      'request-promotion',
      'set-alias',
      'to-staging',
      'version-tags-add',
    ];
    expect(seen.contributor).toEqual(contributor);
    expect(seen.reviewer).toEqual(contributor);
    expect(seen.admin).toEqual(contributor);
    // The rollback of an alias is a reviewer's: on the model page only from REVIEWER up.
    for (const [who, has] of [
      ['contributor', false],
      ['reviewer', true],
      ['viewer', false],
    ] as const) {
      const { page } = people[who];
      await open(people[who], base, `#/models/${encodeURIComponent(model)}`);
      await page.getByTestId('alias-timeline').locator('li[data-sequence]').first().waitFor({ timeout: WAIT });
      expect(await page.getByTestId('rollback').count(), who).toBe(has ? 1 : 0);
      expect(await page.getByTestId('move-alias').count(), who).toBe(who === 'viewer' ? 0 : 1);
    }
    // Webhooks are an administrator's: the link and the button only for ADMIN.
    for (const who of ['reviewer', 'admin'] as const) {
      const { page } = people[who];
      await open(people[who], base, '#/webhooks');
      await page.locator('h1').waitFor({ timeout: WAIT });
      expect(
        await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Webhooks' }).count(),
        who,
      ).toBe(who === 'admin' ? 1 : 0);
      expect(await page.getByTestId('register-webhook').count(), who).toBe(who === 'admin' ? 1 : 0);
    }
  });

  it('adds and removes tags, moves an unprotected alias, and shows a refused move verbatim', async () => {
    const c = people.contributor;
    const { page } = c;
    await open(c, base, versionUrl(model, 2));
    let dialog = await confirmAction(page, 'version-tags-add', {
      fill: { Key: 'reviewed', Value: 'yes' },
      says: new RegExp(`Adds reviewed=yes to ${model} v2`),
    });
    await accepted(dialog);
    // Live: the page shows it from the event, not from a reload.
    await page.getByTestId('version-tags').locator('[data-tag="reviewed"]').waitFor({ timeout: WAIT });
    dialog = await confirmAction(page, 'remove-tag-reviewed', { says: /Removes the tag reviewed=yes/ });
    await accepted(dialog);
    await expect
      .poll(() => page.getByTestId('version-tags').locator('[data-tag="reviewed"]').count(), { timeout: WAIT })
      .toBe(0);
    expect((await gqlOk(t.url, Q_VERSION, { n: model, v: 2 })).modelVersion.tags).toEqual([
      { key: 'team', value: 'risk' },
    ]);

    dialog = await confirmAction(page, 'set-alias', {
      fill: { Alias: 'candidate' },
      says: /Alias @candidate is created, pointing to v2/,
    });
    await accepted(dialog);
    await expect
      .poll(async () => (await gqlOk(t.url, Q_ALIAS, { n: model, a: 'candidate' })).modelVersionByAlias?.version, {
        timeout: WAIT,
      })
      .toBe(2);

    // The protected alias: the dialog warns, the server refuses, the refusal reads as the server wrote it, nothing
    // changes.
    const before = await graphDigest();
    dialog = await confirmAction(page, 'set-alias', { fill: { Alias: 'production' } });
    const error = dialog.locator('[role=alert]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.locator('.code').innerText()).toBe('GATE_FAILED');
    const direct = await gql(
      t.url,
      contractOp('SetRegisteredModelAlias'),
      { modelName: model, alias: 'production', version: 2 },
      as(p.tokens.contributor),
    );
    expect(await error.locator('.server-message').innerText()).toBe(direct.errors![0]!.message);
    expect(await graphDigest()).toEqual(before);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(c.errors).toEqual([]);
  });

  it('moves DEVELOPMENT → STAGING, records evidence and requests a promotion with evidence links; the inbox shows it to its approvers', async () => {
    const c = people.contributor;
    const { page } = c;
    await open(c, base, versionUrl(model, 3));
    let dialog = await confirmAction(page, 'to-staging', { says: /v3 moves from DEVELOPMENT to STAGING/ });
    await accepted(dialog);
    await expect.poll(() => page.locator('#version-title').innerText(), { timeout: WAIT }).toContain('STAGING');
    dialog = await confirmAction(page, 'record-evidence', {
      select: { Kind: 'HUMAN_REVIEW' },
      fill: { 'Link (optional)': 'https://review.example.com/42', 'Summary (optional)': 'reviewed by the risk team' },
      says: /Records HUMAN_REVIEW evidence \(passed\) on v3/,
    });
    await accepted(dialog);
    dialog = await confirmAction(page, 'request-promotion', {
      select: { Target: 'stage:CANARY' },
      fill: { 'Link 1': 'https://ci.example.com/eval/3', 'Summary 1': 'offline evaluation' },
      says: /Opens a request to move v3 to stage CANARY/,
    });
    await accepted(dialog);
    const card = page.locator('article[data-testid=promotion-card]');
    await card.waitFor({ timeout: WAIT });
    expect(await card.innerText()).toMatch(/v3 →\s*CANARY\s*PENDING/);
    // The requester may not approve its own request: no approve button, a reject (withdraw) one.
    expect(await card.getByTestId('approve').count()).toBe(0);
    expect(await card.getByTestId('reject').count()).toBe(1);

    // The reviewer's inbox, opened before, shows it live, with its evidence, metric diff and gate checks.
    const r = people.reviewer;
    await open(r, base, '#/inbox');
    const inbox = r.page.getByTestId('inbox');
    const mine = inbox.locator('article', { hasText: `${model} v3` });
    await mine.waitFor({ timeout: WAIT });
    const text = await mine.innerText();
    expect(text).toContain('https://ci.example.com/eval/3');
    expect(text).toContain('offline evaluation');
    expect(await mine.getByTestId('metric-diff').locator('tr[data-metric="auc"]').innerText()).toMatch(
      /auc\s+0\.9\s+—/,
    );
    expect(await attrs(mine.getByTestId('gate-checks').locator('li'), 'data-passed')).toEqual(['true', 'false']);
    expect(await mine.getByTestId('gate-refusal').innerText()).toContain('FAIRNESS_CHECK');
    await r.page.screenshot({ path: `${OUT}/inbox.png`, fullPage: true });
    // The owner (a CONTRIBUTOR) may not approve a one-reviewer request: not in its inbox.
    await open(people.owner, base, '#/inbox');
    await people.owner.page
      .locator('[data-testid=inbox-empty], [data-testid=inbox] article')
      .first()
      .waitFor({ timeout: WAIT });
    expect(
      await people.owner.page
        .getByTestId('inbox')
        .locator('article', { hasText: `${model} v3` })
        .count(),
    ).toBe(0);

    // Approving now: the gate refuses, the refusal is shown verbatim, the request stays pending.
    dialog = await confirmAction(r.page, 'approve', { within: mine, says: /carries the promotion out now/ });
    const error = dialog.locator('[role=alert]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.locator('.code').innerText()).toBe('GATE_FAILED');
    expect(await error.locator('.server-message').innerText()).toBe(
      await mine
        .getByTestId('gate-refusal')
        .innerText()
        .then((s) => s.replace('The gate would refuse now: ', '')),
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // The missing evidence, recorded by the requester; the inbox card's checks turn green live.
    await confirmAction(page, 'record-evidence', { select: { Kind: 'FAIRNESS_CHECK' } }).then(accepted);
    await expect
      .poll(() => attrs(mine.getByTestId('gate-checks').locator('li'), 'data-passed'), { timeout: WAIT })
      .toEqual(['true', 'true']);
    await r.page.screenshot({ path: `${OUT}/inbox.png`, fullPage: true });
    dialog = await confirmAction(r.page, 'approve', { within: mine, fill: { 'Comment (optional)': 'looks good' } });
    await accepted(dialog);
    await expect.poll(() => mine.count(), { timeout: WAIT }).toBe(0);
    expect((await gqlOk(t.url, Q_VERSION, { n: model, v: 3 })).modelVersion.stage).toBe('CANARY');
    // The requester's page followed.
    await expect.poll(() => page.locator('#version-title').innerText(), { timeout: WAIT }).toContain('CANARY');
  });

  it('edits a human card section with revision history and a diff; required sections are flagged', async () => {
    const o = people.owner;
    const { page } = o;
    await open(o, base, versionUrl(model, 3));
    const card = page.getByTestId('model-card');
    await card.locator('.card-section').first().waitFor({ timeout: WAIT });
    expect(await card.getByTestId('card-missing').innerText()).toMatch(
      /Intended use and users.*Limitations and failure modes/,
    );
    expect(await card.locator('[data-section="intended-use"] .badge.required-missing').count()).toBe(1);
    // Generated sections cannot be edited.
    expect(await card.getByTestId('edit-details').count()).toBe(0);
    let dialog = await confirmAction(page, 'edit-intended-use', {
      fill: { 'Text (Markdown)': 'Scoring card transactions.\nFor the **risk team** only.' },
      says: new RegExp(`for every version of ${model}`),
    });
    await accepted(dialog);
    const section = card.locator('[data-section="intended-use"]');
    await expect
      .poll(() => section.locator('.markdown').innerText(), { timeout: WAIT })
      .toContain('For the risk team only.');
    expect(await section.locator('.markdown strong').innerText()).toBe('risk team');
    dialog = await confirmAction(page, 'edit-intended-use', {
      fill: { 'Text (Markdown)': 'Scoring card transactions.\nFor the risk and fraud teams.' },
    });
    await accepted(dialog);
    await expect
      .poll(() => section.locator('.markdown').innerText(), { timeout: WAIT })
      .toContain('risk and fraud teams');
    await section.getByTestId('history-intended-use').click();
    const history = section.getByTestId('section-history');
    await expect.poll(() => history.locator('tr[data-revision]').count(), { timeout: WAIT }).toBe(2);
    const diff = history.getByTestId('section-diff');
    expect(await diff.locator('.diff-del').innerText()).toContain('For the **risk team** only.');
    expect(await diff.locator('.diff-add').innerText()).toContain('For the risk and fraud teams.');
    expect(await diff.locator('.diff-same').innerText()).toContain('Scoring card transactions.');
    await confirmAction(page, 'edit-limitations', {
      fill: { 'Text (Markdown)': '- Not for loans\n- Trained on EU data only' },
    }).then(accepted);
    await expect.poll(() => card.getByTestId('card-missing').count(), { timeout: WAIT }).toBe(0);
    expect(await card.locator('[data-section="limitations"] li').count()).toBe(2);
    await page.screenshot({ path: `${OUT}/model-card.png`, fullPage: true });
    // A viewer sees the card and its history, not the edit buttons.
    await open(people.viewer, base, versionUrl(model, 3));
    await people.viewer.page
      .getByTestId('model-card')
      .locator('[data-section="intended-use"]')
      .waitFor({ timeout: WAIT });
    expect(await people.viewer.page.getByTestId('edit-intended-use').count()).toBe(0);
    expect(await people.viewer.page.getByTestId('history-intended-use').count()).toBe(1);
  });

  it('carries a version from DEVELOPMENT to the protected `production` alias entirely in the browser, and verifies the signed promotion', async () => {
    // A fresh version; the requester (a CONTRIBUTOR) does the paperwork; the owner and a reviewer approve.
    const v = (await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.93 }] })).version;
    const req = people.requester;
    const owner = people.owner;
    const rev = people.reviewer;
    await open(req, base, versionUrl(model, v));
    const title = req.page.locator('#version-title');
    await title.waitFor({ timeout: WAIT });
    expect(await title.innerText()).toContain('DEVELOPMENT');
    await confirmAction(req.page, 'to-staging').then(accepted);
    await expect.poll(() => title.innerText(), { timeout: WAIT }).toContain('STAGING');
    for (const kind of ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF']) {
      await confirmAction(req.page, 'record-evidence', {
        select: { Kind: kind },
        fill: { 'Link (optional)': `https://evidence.example.com/${kind.toLowerCase()}` },
      }).then(accepted);
    }

    /** The requester asks; each approver opens the inbox and approves; returns the request id. */
    const carry = async (target: string, approvers: Person[]) => {
      await confirmAction(req.page, 'request-promotion', {
        select: { Target: target },
        fill: { 'Link 1': `https://ci.example.com/${model}/${v}` },
      }).then(accepted);
      const card = req.page.locator(`article[data-testid=promotion-card]`, {
        hasText: target.startsWith('alias:') ? `@${target.slice(6)}` : target.slice(6),
      });
      await card.waitFor({ timeout: WAIT });
      const id = (await card.getAttribute('data-request'))!;
      for (const [i, a] of approvers.entries()) {
        await open(a, base, '#/inbox');
        const mine = a.page.locator(`article[data-request="${id}"]`);
        await mine.waitFor({ timeout: WAIT });
        // The approvals before this one, on the page (from the live event when the inbox was open already).
        await expect.poll(() => mine.locator('.approvals li[data-approver]').count(), { timeout: WAIT }).toBe(i);
        const last = i === approvers.length - 1;
        await confirmAction(a.page, 'approve', {
          within: mine,
          says: last ? /carries the promotion out now/ : /Your approval is recorded/,
        }).then(accepted);
      }
      return id;
    };
    await carry('stage:CANARY', [rev]);
    await expect.poll(() => title.innerText(), { timeout: WAIT }).toContain('CANARY');
    await carry('stage:PRODUCTION', [owner, rev]);
    await expect.poll(() => title.innerText(), { timeout: WAIT }).toContain('PRODUCTION');
    const requestId = await carry('alias:production', [owner, rev]);
    await expect
      .poll(async () => (await gqlOk(t.url, Q_ALIAS, { n: model, a: 'production' })).modelVersionByAlias.version, {
        timeout: WAIT,
      })
      .toBe(v);
    await expect.poll(() => title.innerText(), { timeout: WAIT }).toMatch(/@production/);

    // The signed record of the promotion, verified in the browser; its download is the envelope itself.
    await open(req, base, `#/requests/${requestId}`);
    const badge = req.page.getByTestId('verified-badge');
    await expect.poll(() => badge.getAttribute('data-verified'), { timeout: WAIT }).toBe('true');
    expect(await req.page.getByTestId('signers').innerText()).toBe(
      ['Pedigree', p.names.owner, p.names.reviewer]
        .sort((a, b) => (a === 'Pedigree' ? -1 : b === 'Pedigree' ? 1 : a.localeCompare(b)))
        .join(', '),
    );
    const envelope = (
      await gqlOk(t.url, `query($id: ID!) { promotionRequest(id: $id) { attestation } }`, { id: requestId })
    ).promotionRequest.attestation as string;
    const link = req.page.getByTestId('download-envelope');
    expect(await link.getAttribute('download')).toBe(`promotion-${requestId}.dsse.json`);
    const [download] = await Promise.all([req.page.waitForEvent('download'), link.click()]);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile((await download.path())!, 'utf8')).toBe(envelope);
    await req.page.screenshot({ path: `${OUT}/attestation.png`, fullPage: true });

    // The same envelope tampered with (one word of the statement changed, signatures kept): not verified.
    const env = JSON.parse(envelope);
    const statement = Buffer.from(env.payload, 'base64').toString('utf8');
    const forged = {
      ...env,
      payload: Buffer.from(
        statement.replace(`"version":${v}`, `"version":${v + 100}`).replace('PRODUCTION', 'ARCHIVED'),
        'utf8',
      ).toString('base64'),
    };
    expect(forged.payload).not.toBe(env.payload);
    await open(req, base, '#/verify');
    await req.page.getByLabel('Envelope (DSSE JSON)').fill(JSON.stringify(forged));
    await req.page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => req.page.getByTestId('verified-badge').getAttribute('data-verified'), { timeout: WAIT })
      .toBe('false');
    expect(await req.page.getByTestId('verify-reason').innerText()).toMatch(/no signature verifies/);
    // …and the untouched one, pasted: verified.
    await req.page.getByLabel('Envelope (DSSE JSON)').fill(envelope);
    await req.page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => req.page.getByTestId('verified-badge').getAttribute('data-verified'), { timeout: WAIT })
      .toBe('true');
    for (const who of ['requester', 'owner', 'reviewer'] as const) expect(people[who].errors, who).toEqual([]);
  });

  it('rolls a protected alias back with a reason (REVIEWER), rejects with a reason, and registers a webhook (ADMIN)', async () => {
    const r = people.reviewer;
    await open(r, base, `#/models/${encodeURIComponent(model)}`);
    const timeline = r.page.getByTestId('alias-timeline');
    await timeline.locator('li[data-sequence]').first().waitFor({ timeout: WAIT });
    const current = (await gqlOk(t.url, Q_ALIAS, { n: model, a: 'production' })).modelVersionByAlias.version;
    // Without a reason the server refuses, verbatim; with one the alias goes back.
    let dialog = await confirmAction(r.page, 'rollback', {
      select: { 'Back to version': '1' },
      says: new RegExp(`moves back from v${current} to v1`),
    });
    await dialog.locator('[role=alert]').waitFor({ timeout: WAIT });
    expect(await dialog.locator('.server-message').innerText()).toBe('reason must not be empty');
    await dialog.getByLabel('Reason (required)').fill('error rate doubled after the move');
    await dialog.locator('button[type=submit]').click();
    await accepted(dialog);
    const entry = timeline.locator('li', { hasText: 'error rate doubled after the move' });
    await entry.waitFor({ timeout: WAIT });
    expect(await entry.innerText()).toMatch(new RegExp(`v${current} →\\s*v1\\s*rollback`));
    await expect
      .poll(() => r.page.getByTestId('alias-badges').innerText(), { timeout: WAIT })
      .toContain('@production → v1');

    // A request rejected by the reviewer, with its reason.
    const id = (
      await gqlOk(
        t.url,
        contractOp('RequestPromotion'),
        { ref: { modelName: model, version: 2 }, target: { alias: 'champion' }, evidence: null },
        as(p.tokens.requester),
      )
    ).requestPromotion.id;
    await open(r, base, `#/requests/${id}`);
    const card = r.page.locator(`article[data-request="${id}"]`);
    await card.waitFor({ timeout: WAIT });
    dialog = await confirmAction(r.page, 'reject', {
      within: card,
      fill: { 'Reason (required)': 'champion is frozen this week' },
      says: /closed as REJECTED/,
    });
    await accepted(dialog);
    await expect.poll(() => card.innerText(), { timeout: WAIT }).toMatch(/REJECTED[\s\S]*champion is frozen this week/);

    // Webhooks: a private address is refused as the server says; a public one is registered and its secret shown once.
    const a = people.admin;
    await open(a, base, '#/webhooks');
    dialog = await confirmAction(a.page, 'register-webhook', { fill: { URL: 'http://127.0.0.1:9/hook' } });
    await dialog.locator('[role=alert]').waitFor({ timeout: WAIT });
    expect(await dialog.locator('.code').innerText()).toBe('FORBIDDEN');
    await dialog.getByLabel('URL', { exact: true }).fill('https://93.184.215.14/pedigree-hook');
    await dialog.getByLabel('Event types', { exact: true }).fill('PROVIDER_VERSION_DEPRECATED');
    await dialog.locator('button[type=submit]').click();
    await accepted(dialog);
    expect(await a.page.getByTestId('webhook-secret').innerText()).toMatch(/whsec_/);
    const row = a.page.getByTestId('webhooks').locator('tr', { hasText: '93.184.215.14' });
    await row.waitFor({ timeout: WAIT });
    const hook = (await row.getAttribute('data-webhook'))!;
    await gqlOk(t.url, 'mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: hook });
    for (const who of ['reviewer', 'admin'] as const) expect(people[who].errors, who).toEqual([]);
  });

  it('searches by tag and metric threshold, paged, with every page a shareable link', async () => {
    const tag = uniq('cohort');
    const other = await createModel(t.url, uniq('search'));
    for (let i = 0; i < 23; i++)
      await createVersion(t.url, other, {
        metrics: [{ key: 'recall', value: 0.5 + i / 100 }],
        tags: [{ key: tag, value: i % 2 ? 'odd' : 'even' }],
      });
    const v = people.viewer;
    await open(v, base, '#/search');
    await v.page.getByLabel('Tag key').fill(tag);
    await v.page.getByLabel('Tag value').fill('even');
    await v.page.getByLabel('Metric').fill('recall');
    await v.page.getByLabel('Comparison').selectOption('GTE');
    await v.page.getByLabel('Threshold').fill('0.55');
    await v.page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = v.page.getByTestId('search-results');
    // even i in 6..22 (recall ≥ 0.55): 9 versions, highest recall first.
    await expect.poll(() => v.page.getByTestId('search-count').innerText(), { timeout: WAIT }).toMatch(/^9 versions/);
    expect(await attrs(results.locator('tbody tr'), 'data-hit')).toEqual(
      [23, 21, 19, 17, 15, 13, 11, 9, 7].map((n) => `${other}/${n}`),
    );
    expect(v.page.url()).toMatch(/#\/search\?tag=.*&tagValue=even&metric=recall&op=GTE&value=0.55/);
    // The deep link alone, in another tab, shows the same page.
    const fresh = await v.context.newPage();
    await fresh.goto(v.page.url());
    await expect
      .poll(() => attrs(fresh.getByTestId('search-results').locator('tbody tr'), 'data-hit'), { timeout: WAIT })
      .toHaveLength(9);
    await fresh.close();
    // Another filter, by tag value alone; then paging, 20 per page: page 2 is a link too.
    await open(v, base, `#/search?tag=${tag}&tagValue=odd`);
    await expect.poll(() => v.page.getByTestId('search-count').innerText(), { timeout: WAIT }).toMatch(/^11 versions/);
    const all: string[] = [];
    await open(v, base, `#/search?model=${encodeURIComponent(other)}`);
    await expect
      .poll(() => v.page.getByTestId('search-count').innerText(), { timeout: WAIT })
      .toMatch(/^23 versions · page 1/);
    all.push(...((await attrs(results.locator('tbody tr'), 'data-hit')) as string[]));
    await v.page.getByRole('button', { name: 'next →' }).click();
    await expect.poll(() => v.page.getByTestId('search-count').innerText(), { timeout: WAIT }).toMatch(/page 2/);
    const page2 = v.page.url();
    expect(page2).toMatch(/pages=/);
    all.push(...((await attrs(results.locator('tbody tr'), 'data-hit')) as string[]));
    expect(new Set(all).size).toBe(23);
    const again = await v.context.newPage();
    await again.goto(page2);
    await expect.poll(() => again.getByTestId('search-count').innerText(), { timeout: WAIT }).toMatch(/page 2/);
    expect(await attrs(again.getByTestId('search-results').locator('tbody tr'), 'data-hit')).toEqual(all.slice(20));
    await again.close();
    await v.page.screenshot({ path: `${OUT}/search.png`, fullPage: true });
    // The pages opened by this file pass the accessibility scan too.
    expect(await axeViolations(v.page)).toEqual([]);
    expect(v.errors).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk } from '../support/graphql.js';
import { distilledStudent } from '../support/operations-graph.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // Operations are tested on their own: protected aliases and stages are governance's (promotion.e2e).
  t = await startTestServer({}, { withoutPromotionGuard: true });
});
afterAll(async () => {
  await t?.close();
});

const card = async (modelName: string, version: number) =>
  (await gqlOk(t.url, contractOp('ModelCard'), { ref: { modelName, version } })).modelCard;
const setSection = (vars: Record<string, unknown>) =>
  gql(
    t.url,
    'mutation($n: String, $ref: ModelVersionRefInput, $t: String!, $b: String!) { setModelCardSection(modelName: $n, ref: $ref, title: $t, body: $b) { key title revision scope version by } }',
    vars,
  );
const evidence = (modelName: string, version: number, kind: string, passed = true, summary = `${kind} done`) =>
  gqlOk(
    t.url,
    'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
    { ref: { modelName, version }, e: { kind, passed, summary } },
  );
const transition = (modelName: string, version: number, stage: string) =>
  gql(t.url, contractOp('TransitionStage'), { ref: { modelName, version }, stage });

describe('modelCard', () => {
  it('a card for a fine-tuned, distilled model names its base, teacher and datasets, in the Hugging Face layout', async () => {
    const g = await distilledStudent(t.url);
    await evidence(g.student, g.version, 'FAIRNESS_CHECK', true, 'demographic parity gap 0.02 across age bands');
    const c = await card(g.student, g.version);
    const md: string = c.markdown;
    const header = md.split('---\n')[1]!;
    expect(header).toContain(`model_name: "${g.student}"`);
    expect(header).toContain('license: "apache-2.0"');
    expect(header).toContain(`base_model: "acme/${g.base.name}@2024-06-01"`);
    expect(header).toMatch(
      new RegExp(`datasets:\\n- "${g.datasets.test.dataset.name}"\\n- "${g.datasets.train.dataset.name}"`),
    );
    expect(header).toContain('model-index:');
    expect(header).toContain('value: 0.91');
    expect(header).toContain('name: "auc (eu)"');
    expect(header).toContain('- "team:risk"');

    const byTitle = Object.fromEntries(c.sections.map((s: any) => [s.title, s]));
    expect(Object.keys(byTitle)).toEqual([
      'Model details',
      'Intended use and users',
      'Limitations and failure modes',
      'Evaluation results',
      'Fairness assessment',
      'Training data',
      'Lineage',
      'Responsible team and contact',
    ]);
    expect(byTitle['Lineage'].generated).toBe(true);
    expect(byTitle['Lineage'].body).toContain(`**Base model:** acme/${g.base.name}@2024-06-01`);
    expect(byTitle['Lineage'].body).toContain(`**Teachers (distillation):** ${g.teacherModel}/1`);
    expect(byTitle['Lineage'].body).toContain('abc1234');
    expect(byTitle['Training data'].body).toContain(g.datasets.train.dataset.name);
    expect(byTitle['Training data'].body).toContain(g.datasets.raw.dataset.name);
    expect(byTitle['Training data'].body).toContain('**Training rows:** 800');
    expect(byTitle['Training data'].body).toMatch(/\*\*Raw sources:\*\* s3:\/\/lake\//);
    expect(byTitle['Training data'].body).toMatch(/\*\*Date range:\*\* \d{4}-/);
    expect(byTitle['Evaluation results'].body).toContain('| eu | auc | 0.88 |');
    expect(byTitle['Fairness assessment'].body).toContain('1 of 1 fairness check passed');
    expect(byTitle['Fairness assessment'].body).toContain('demographic parity gap');
    expect(byTitle['Responsible team and contact'].body).toContain('risk-ml@example.com');
    expect(byTitle['Intended use and users'].generated).toBe(false);
    expect(byTitle['Intended use and users'].body).toMatch(/Not written yet/);
    expect(md).toContain('## Lineage');
  });

  it("stores human sections with history; a version's own section overrides the model's; generated titles cannot be written", async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m);
    await createVersion(t.url, m);
    expect(
      (await setSection({ n: m, t: 'Intended use', b: 'Scoring card transactions.' })).data.setModelCardSection,
    ).toMatchObject({ key: 'intended-use', title: 'Intended use and users', revision: 1, scope: 'MODEL' });
    expect(
      (await setSection({ n: m, t: 'Intended use and users', b: 'Scoring card and wire transactions.' })).data
        .setModelCardSection.revision,
    ).toBe(2);
    expect(
      (await setSection({ ref: { modelName: m, version: 2 }, t: 'Intended use', b: 'Wire transfers only.' })).data
        .setModelCardSection,
    ).toMatchObject({ scope: 'VERSION', version: 2 });
    const v1 = await card(m, 1);
    const v2 = await card(m, 2);
    const intended = (c: any) => c.sections.find((s: any) => s.title === 'Intended use and users').body;
    expect(intended(v1)).toBe('Scoring card and wire transactions.');
    expect(intended(v2)).toBe('Wire transfers only.');
    const hist = (
      await gqlOk(
        t.url,
        'query($n: String!) { modelCardSectionHistory(modelName: $n, title: "intended use") { revision scope version body } }',
        { n: m },
      )
    ).modelCardSectionHistory;
    expect(hist.map((h: any) => [h.scope, h.revision, h.version])).toEqual([
      ['VERSION', 1, 2],
      ['MODEL', 2, null],
      ['MODEL', 1, null],
    ]);
    // Custom sections appear after the standard ones.
    await setSection({ n: m, t: 'Ethical considerations', b: 'Reviewed by the ethics board.' });
    expect((await card(m, 1)).sections.at(-1)).toEqual({
      title: 'Ethical considerations',
      body: 'Reviewed by the ethics board.',
      generated: false,
    });

    const before = await graphDigest();
    expect(code(await setSection({ n: m, t: 'Evaluation results', b: 'hand-made numbers' }))).toBe('BAD_USER_INPUT');
    expect(code(await setSection({ n: m, ref: { modelName: m, version: 1 }, t: 'Limitations', b: 'x' }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(code(await setSection({ n: 'no-such-model-here', t: 'Limitations', b: 'x' }))).toBe('NOT_FOUND');
    expect(await graphDigest()).toEqual(before);
  });

  it('gates PRODUCTION on the required human sections', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m, { metrics: [{ key: 'auc', value: 0.9 }] });
    for (const k of ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF']) await evidence(m, 1, k);
    for (const s of ['STAGING', 'CANARY']) expect((await transition(m, 1, s)).errors).toBeUndefined();
    await setSection({ n: m, t: 'Intended use', b: 'Scoring.' });
    const before = await graphDigest();
    const r = await transition(m, 1, 'PRODUCTION');
    expect(code(r)).toBe('GATE_FAILED');
    expect(r.errors![0]!.message).toMatch(/"limitations"/);
    expect(await graphDigest()).toEqual(before);
    // An empty body does not count as written.
    await setSection({ ref: { modelName: m, version: 1 }, t: 'Limitations', b: '   ' });
    expect(code(await transition(m, 1, 'PRODUCTION'))).toBe('GATE_FAILED');
    await setSection({
      ref: { modelName: m, version: 1 },
      t: 'Limitations',
      b: 'Degrades on merchants unseen in training.',
    });
    expect((await transition(m, 1, 'PRODUCTION')).data.transitionModelVersionStage.stage).toBe('PRODUCTION');
    expect((await card(m, 1)).missingRequiredSections ?? []).toEqual([]);
  });
});

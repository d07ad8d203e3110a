import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * LIKE / ILIKE through every MLflow search that applies them, as a VIEWER
 * sends them: the pattern of the security report (16 `%_` pairs and a
 * character the names lack) made the old regex matcher backtrack for a
 * minute or more per name, so each search here ran past the test timeout.
 * Each also has to be right: the one name that ends in the character is found.
 */
describe('MLflow LIKE / ILIKE searches with an adversarial pattern', () => {
  let t: TestServer;
  let base: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestServer();
    base = t.url.replace(/\/graphql$/, '');
    const d = await gqlOk(t.url, 'mutation($n: String!) { createApiToken(name: $n, role: VIEWER) { token } }', {
      n: uniq('like-viewer'),
    });
    viewer = d.createApiToken.token;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function mf(
    path: string,
    body: Record<string, unknown>,
    token?: string,
  ): Promise<{ status: number; json: any }> {
    const res = await fetch(`${base}/api/2.0/mlflow/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token ?? viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }
  const admin = (path: string, body: Record<string, unknown>) =>
    mf(path, body, 'pdg_test-admin-token-0123456789abcdefghijklmnopqrstuvwxyz');
  async function get(path: string, params: Record<string, string>): Promise<{ status: number; json: any }> {
    const res = await fetch(`${base}/api/2.0/mlflow/${path}?${new URLSearchParams(params)}`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    return { status: res.status, json: await res.json() };
  }

  /**
   * Two strings of a short unique prefix and 35 more characters (40 in all
   * for names, as in the report): one ends in "Z" (matches), one does not.
   * For the one that does not, the old matcher tried the ways of spreading
   * the 19 spare characters over the 17 `%`s: about two minutes of one core.
   */
  function pair(before = ''): { hit: string; miss: string; like: string; ilike: string } {
    const prefix = `${before}f${randomBytes(2).toString('hex')}`;
    const fill = (end: string) => `${prefix}${'x'.repeat(34)}${end}`;
    return {
      hit: fill('Z'),
      miss: fill('x'),
      like: `${prefix}${'%_'.repeat(16)}%Z`,
      ilike: `${prefix.toUpperCase()}${'%_'.repeat(16)}%z`,
    };
  }

  it('registered-models/search by name (LIKE and ILIKE)', async () => {
    const n = pair();
    for (const name of [n.hit, n.miss]) expect((await admin('registered-models/create', { name })).status).toBe(200);
    for (const filter of [`name LIKE '${n.like}'`, `name ILIKE '${n.ilike}'`]) {
      const r = await get('registered-models/search', { filter });
      expect(r.status).toBe(200);
      expect(r.json.registered_models.map((m: any) => m.name)).toEqual([n.hit]);
    }
  });

  it('model-versions/search by name and by source_path', async () => {
    const n = pair();
    const src = pair('s3://');
    for (const [name, source] of [
      [n.hit, src.hit],
      [n.miss, src.miss],
    ] as const) {
      expect((await admin('registered-models/create', { name })).status).toBe(200);
      expect((await admin('model-versions/create', { name, source })).status).toBe(200);
    }
    const byName = await get('model-versions/search', { filter: `name LIKE '${n.like}'` });
    expect(byName.json.model_versions.map((v: any) => v.name)).toEqual([n.hit]);
    const bySource = await get('model-versions/search', { filter: `source_path LIKE '${src.like}'` });
    expect(bySource.json.model_versions.map((v: any) => v.source)).toEqual([src.hit]);
    const bySourceCi = await get('model-versions/search', { filter: `source_path ILIKE '${src.ilike}'` });
    expect(bySourceCi.json.model_versions.map((v: any) => v.source)).toEqual([src.hit]);
  });

  it('runs/search by run name and tag, experiments/search by name', async () => {
    const exp = pair();
    const ids: string[] = [];
    for (const name of [exp.hit, exp.miss]) {
      const e = await admin('experiments/create', { name });
      expect(e.status).toBe(200);
      ids.push(e.json.experiment_id);
    }
    const found = await mf('experiments/search', { filter: `name LIKE '${exp.like}'`, max_results: 10 });
    expect(found.json.experiments.map((e: any) => e.name)).toEqual([exp.hit]);

    const run = pair();
    const runIds: Record<string, string> = {};
    for (const name of [run.hit, run.miss]) {
      const r = await admin('runs/create', {
        experiment_id: ids[0],
        run_name: name,
        tags: [{ key: 'note', value: name }],
      });
      expect(r.status).toBe(200);
      runIds[name] = r.json.run.info.run_id;
    }
    for (const filter of [`attributes.run_name LIKE '${run.like}'`, `tags.note ILIKE '${run.ilike}'`]) {
      const r = await mf('runs/search', { experiment_ids: [ids[0]], filter });
      expect(r.status).toBe(200);
      expect(r.json.runs.map((x: any) => x.info.run_id)).toEqual([runIds[run.hit]]);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredStatements, loadStatements } from '../../src/graph/cypher.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Every statement file is used by some module, every used statement has a
 * file, and every file compiles on the real Neo4j (EXPLAIN plans it without
 * running it).
 */
describe('cypher/ files', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(); // imports every module, so every statement is declared
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has no file that nothing uses, and no use without a file', () => {
    const files = [...loadStatements().keys()].sort();
    const used = [...declaredStatements()].sort();
    expect(files.filter((f) => !used.includes(f))).toEqual([]);
    expect(used.filter((u) => !files.includes(u))).toEqual([]);
  });

  // One EXPLAIN per file (over 300 of them): minutes on a loaded two-core machine.
  it('EXPLAINs every statement against the real database', { timeout: 300_000 }, async () => {
    const session = t.app.executor.driver.session();
    const failures: string[] = [];
    try {
      for (const [name, text] of loadStatements()) {
        try {
          await session.run(`EXPLAIN ${text}`);
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    } finally {
      await session.close();
    }
    expect(failures).toEqual([]);
  });

  /**
   * A statement that scans every node of a label (or every relationship of a
   * type, or a whole index) grows with the registry. Each scan here is either
   * on a label that stays small (models, deployments, keys, …) or listed with
   * the reason it has to read them all. A composite index is only sought
   * with a predicate on every property it covers: a statement that matches
   * its leading properties alone adds `IS NOT NULL` on the rest.
   */
  it(
    'scans no large label or relationship type except where the statement must read it all',
    { timeout: 300_000 },
    async () => {
      const LARGE = [
        'ModelVersion',
        'Alias',
        'Event',
        'Prediction',
        'Run',
        'DatasetVersion',
        'Metric',
        'MetricPoint',
        'Tag',
        'DataSource',
        'WebhookDelivery',
        'HealthSample',
        'ModelCardSection',
        'PromotionRequest',
        'ArtifactSeal',
        'ArtifactFile',
      ];
      // Relationship types with one edge per version, alias, section, tag, … : a type scan reads them all.
      const LARGE_REL = [
        'POINTS_TO',
        'CARD_SECTION_OF',
        'HAS_TAG',
        'HAS_METRIC',
        'VERSION_OF',
        'PRODUCED_BY',
        'USED',
        'DERIVED_FROM',
        'MADE_BY',
        'FINE_TUNED_FROM',
        'DISTILLED_FROM',
      ];
      const MUST_READ_ALL: Record<string, string> = {
        'registry/search-versions':
          'searchModelVersions without a filter lists every version (its other branches seek; an unfiltered search normally walks an ordered index instead)',
        'registry/search-versions-count':
          'totalCount without a filter counts versions, stopping at its cap (its other branches seek)',
        'backup/export-nodes': 'a backup reads every node',
        'backup/export-relationships': 'a backup reads every relationship',
        'backup/any-node': 'a restore checks the new store is empty (stops at the first node)',
      };
      const session = t.app.executor.driver.session();
      const scans: string[] = [];
      type Plan = { operatorType: string; arguments: Record<string, unknown>; children: Plan[] };
      const walk = (p: Plan, out: string[]) => {
        if (/LabelScan|AllNodesScan|NodeIndexScan|RelationshipTypeScan/.test(p.operatorType))
          out.push(`${p.operatorType} ${String(p.arguments.Details ?? '')}`);
        for (const c of p.children) walk(c, out);
      };
      try {
        for (const [name, text] of loadStatements()) {
          if (name in MUST_READ_ALL) continue;
          const r = await session.run(`EXPLAIN ${text}`);
          const found: string[] = [];
          walk(r.summary.plan as unknown as Plan, found);
          for (const f of found)
            if (
              f.startsWith('AllNodesScan') ||
              LARGE.some((l) => new RegExp(`:${l}\\b`).test(f)) ||
              LARGE_REL.some((r) => new RegExp(`:${r}\\]`).test(f))
            )
              scans.push(`${name}: ${f}`);
        }
      } finally {
        await session.close();
      }
      expect(scans).toEqual([]);
    },
  );
});

import { createHash } from 'node:crypto';
import { testDriver } from './neo4j.js';

async function query(cypher: string, params: Record<string, unknown> = {}) {
  const driver = testDriver();
  const session = driver.session();
  try {
    return await session.run(cypher, params);
  } finally {
    await session.close();
    await driver.close();
  }
}

/**
 * The graph digest without the outbox: every node except Event and the event
 * Counter, and every relationship. Equal digests around a refused mutation
 * prove it wrote nothing but its audit event.
 */
export async function digestWithoutEvents(): Promise<string> {
  const nodes = await query(
    'MATCH (n) WHERE NOT n:Event AND NOT n:Counter RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props ORDER BY id',
  );
  const rels = await query(
    'MATCH (a)-[r]->(b) RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS a, elementId(b) AS b, properties(r) AS props ORDER BY id',
  );
  const h = createHash('sha256');
  const stable = (p: Record<string, unknown>) =>
    Object.keys(p)
      .sort()
      .map((k) => [k, String(p[k])]);
  for (const r of nodes.records) h.update(JSON.stringify([r.get('id'), r.get('labels'), stable(r.get('props'))]));
  for (const r of rels.records)
    h.update(JSON.stringify([r.get('id'), r.get('type'), r.get('a'), r.get('b'), stable(r.get('props'))]));
  return h.digest('hex');
}

/** Events appended after `sequence` (a decimal string), oldest first. */
export async function eventsAfter(
  sequence: string,
): Promise<{ type: string; modelName: string | null; after: unknown }[]> {
  const r = await query(
    'MATCH (e:Event) WHERE e.sequence > toInteger($s) RETURN e.type AS type, e.modelName AS modelName, e.after AS after ORDER BY e.sequence',
    { s: sequence },
  );
  return r.records.map((x) => ({
    type: x.get('type'),
    modelName: x.get('modelName'),
    after: x.get('after') ? JSON.parse(x.get('after')) : null,
  }));
}

/** The current head of the event log. */
export async function headSequence(): Promise<string> {
  const r = await query("MATCH (c:Counter {name: 'events'}) RETURN toString(c.value) AS v");
  return r.records[0]!.get('v');
}

export const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

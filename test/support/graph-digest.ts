import { createHash } from 'node:crypto';
import { testDriver } from './neo4j.js';

/**
 * A digest of the whole graph: every node with its labels and properties and
 * every relationship with its type, ends and properties. Two equal digests
 * mean nothing was written in between. Test files run one at a time, so
 * within a test the whole graph is ours to compare — except the webhook
 * dispatcher's bookkeeping: its deliveries (attempt counts, leases) and its
 * position in the log, which it advances after a request's events commit
 * and keeps retrying for webhooks earlier files left behind. No request
 * writes them: deliveries are made from events, which the digest covers.
 */
export async function graphDigest(): Promise<{ hash: string; nodes: number; relationships: number }> {
  const driver = testDriver();
  const session = driver.session();
  try {
    const nodes = await session.run(
      `MATCH (n) WHERE NOT n:WebhookDelivery AND NOT (n:Counter AND n.name = 'webhook-dispatcher') RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props ORDER BY id`,
    );
    const rels = await session.run(
      'MATCH (a)-[r]->(b) WHERE NOT a:WebhookDelivery AND NOT b:WebhookDelivery RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS a, elementId(b) AS b, properties(r) AS props ORDER BY id',
    );
    const h = createHash('sha256');
    for (const r of nodes.records) h.update(JSON.stringify([r.get('id'), r.get('labels'), stable(r.get('props'))]));
    for (const r of rels.records)
      h.update(JSON.stringify([r.get('id'), r.get('type'), r.get('a'), r.get('b'), stable(r.get('props'))]));
    return { hash: h.digest('hex'), nodes: nodes.records.length, relationships: rels.records.length };
  } finally {
    await session.close();
    await driver.close();
  }
}

function stable(props: Record<string, unknown>): [string, string][] {
  return Object.keys(props)
    .sort()
    .map((k) => [k, String(props[k])]);
}

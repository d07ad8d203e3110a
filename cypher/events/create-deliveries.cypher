// Turns a batch of events into one pending delivery per (webhook, event) that
// wants it, and moves the dispatcher past the batch, in one transaction: a
// crash leaves either both or neither. MERGE on the delivery id makes a second
// replica processing the same batch a no-op. Locking the counter first
// serialises dispatchers across replicas.
MERGE (c:Counter {name: 'webhook-dispatcher'}) ON CREATE SET c.value = 0
WITH c
SET c.value = CASE WHEN c.value < toInteger($upTo) THEN toInteger($upTo) ELSE c.value END
WITH c
UNWIND $events AS e
MATCH (w:Webhook)
// A webhook gets the events committed from its own creation on, while it is
// ACTIVE. One with a format (OpenLineage emission, MLflow's dialect) gets the
// body its format built, where it built one; one with topics (MLflow's event
// names) only the events whose topic it subscribes to.
WITH e, w, CASE WHEN w.format IS NULL THEN e.body ELSE e.formatted[w.format] END AS body,
     CASE WHEN w.format IS NULL THEN null ELSE e.topics[w.format] END AS topic
WHERE (size(w.eventTypes) = 0 OR e.type IN w.eventTypes) AND toInteger(e.sequence) > w.fromSequence AND body IS NOT NULL
  AND coalesce(w.status, 'ACTIVE') = 'ACTIVE' AND (w.topics IS NULL OR topic IN w.topics)
MERGE (d:WebhookDelivery {id: w.id + ':' + e.sequence})
  ON CREATE SET d.webhookId = w.id, d.sequence = toInteger(e.sequence), d.eventType = e.type,
                d.body = body, d.status = 'PENDING', d.attempts = 0, d.nextAttemptAtMs = $nowMs,
                d.createdAt = datetime.realtime()
MERGE (d)-[:DELIVERY_FOR]->(w)
RETURN count(d) AS created

// A page of the registered webhooks, oldest first: $limit after the webhook
// whose id is $after (keyset on createdAt, id). `known` is false when $after
// names no webhook.
OPTIONAL MATCH (c:Webhook {id: $after})
CALL (c) {
  MATCH (w:Webhook)
  WHERE c IS NULL OR [w.createdAt, w.id] > [c.createdAt, c.id]
  WITH w ORDER BY w.createdAt, w.id LIMIT $limit
  RETURN collect({id: w.id, url: w.url, eventTypes: w.eventTypes, description: w.description, createdAt: w.createdAt, createdBy: w.createdBy}) AS webhooks
}
RETURN $after IS NULL OR c IS NOT NULL AS known, webhooks

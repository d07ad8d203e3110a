// `sequence IS NOT NULL` lets the planner seek the (webhookId, sequence) index.
MATCH (d:WebhookDelivery {webhookId: $webhookId})
WHERE d.sequence IS NOT NULL
RETURN count(d) AS total

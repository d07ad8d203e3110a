// One page of a webhook's delivery log, newest event first, keyset-paged by sequence.
MATCH (d:WebhookDelivery {webhookId: $webhookId})
WHERE d.sequence IS NOT NULL AND ($beforeSequence IS NULL OR d.sequence < toInteger($beforeSequence))
RETURN d.id AS id, d.webhookId AS webhookId, toString(d.sequence) AS sequence, d.eventType AS eventType,
       d.status AS status, d.attempts AS attempts, d.lastStatusCode AS lastStatusCode, d.lastError AS lastError,
       d.createdAt AS createdAt, d.lastAttemptAt AS lastAttemptAt, d.deliveredAt AS deliveredAt,
       CASE WHEN d.status = 'PENDING' THEN d.nextAttemptAtMs ELSE null END AS nextAttemptAtMs
ORDER BY d.sequence DESC
LIMIT $limit

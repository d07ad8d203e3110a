// The outcome of one attempt: DELIVERED, DEAD_LETTER, or PENDING again at a later time.
MATCH (d:WebhookDelivery {id: $id})
WHERE d.leaseOwner = $owner
SET d.attempts = d.attempts + 1,
    d.status = $status,
    d.nextAttemptAtMs = $nextAttemptAtMs,
    d.lastAttemptAt = datetime.realtime(),
    d.lastStatusCode = $statusCode,
    d.lastError = $error,
    d.deliveredAt = CASE WHEN $status = 'DELIVERED' THEN datetime.realtime() ELSE d.deliveredAt END,
    d.leaseUntilMs = null,
    d.leaseOwner = null
RETURN d.id AS id, d.status AS status, d.attempts AS attempts

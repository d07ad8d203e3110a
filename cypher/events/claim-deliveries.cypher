// Leases due deliveries to this process so two replicas never send the same
// attempt; an expired lease (a crashed sender) makes a delivery due again.
MATCH (d:WebhookDelivery {status: 'PENDING'})
WHERE d.nextAttemptAtMs <= $nowMs AND coalesce(d.leaseUntilMs, 0) <= $nowMs
WITH d ORDER BY d.nextAttemptAtMs, d.sequence LIMIT $limit
MATCH (d)-[:DELIVERY_FOR]->(w:Webhook)
SET d.leaseUntilMs = $nowMs + $leaseMs, d.leaseOwner = $owner
RETURN d.id AS id, toString(d.sequence) AS sequence, d.body AS body, d.attempts AS attempts,
       w.id AS webhookId, w.url AS url, w.secret AS secret, w.sealedSecret AS sealedSecret, w.format AS format

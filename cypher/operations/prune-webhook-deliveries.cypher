// One batch of finished webhook deliveries (DELIVERED or DEAD_LETTER) created
// before $before (retention). Pending ones stay whatever their age: they are
// work, not history. The events themselves stay in the append-only log.
MATCH (d:WebhookDelivery)
WHERE d.createdAt < datetime($before) AND d.status IN ['DELIVERED', 'DEAD_LETTER']
WITH d LIMIT $limit
DETACH DELETE d
RETURN count(*) AS removed

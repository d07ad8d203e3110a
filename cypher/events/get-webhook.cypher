MATCH (w:Webhook {id: $id})
RETURN w.id AS id, w.url AS url, w.eventTypes AS eventTypes, w.description AS description,
       w.createdAt AS createdAt, w.createdBy AS createdBy

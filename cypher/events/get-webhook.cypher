MATCH (w:Webhook {id: $id})
RETURN w.id AS id, w.url AS url, w.eventTypes AS eventTypes, w.description AS description,
       w.createdAt AS createdAt, w.createdBy AS createdBy, w.format AS format, w.name AS name,
       w.status AS status, w.topics AS topics, coalesce(w.updatedAt, w.createdAt) AS updatedAt

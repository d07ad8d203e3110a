// Changes an MLflow-dialect webhook in place (its deliveries and fromSequence
// stay). A null parameter keeps the field; $setSecret says whether the secret
// pair is replaced (by $secret / $sealedSecret, both null: no secret).
MATCH (w:Webhook {id: $id})
WHERE w.format = $format
WITH w, w {.url, .name, .description, .status, .topics} AS before
SET w.name = coalesce($name, w.name),
    w.description = CASE WHEN $setDescription THEN $description ELSE w.description END,
    w.url = coalesce($url, w.url),
    w.topics = coalesce($topics, w.topics),
    w.status = coalesce($status, w.status),
    w.secret = CASE WHEN $setSecret THEN $secret ELSE w.secret END,
    w.sealedSecret = CASE WHEN $setSecret THEN $sealedSecret ELSE w.sealedSecret END,
    w.updatedAt = datetime.realtime()
RETURN before, w.id AS id, w.url AS url, w.eventTypes AS eventTypes, w.description AS description,
       w.createdAt AS createdAt, w.createdBy AS createdBy, w.format AS format, w.name AS name,
       w.status AS status, w.topics AS topics, w.updatedAt AS updatedAt

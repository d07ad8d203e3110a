// Revokes the live token with id `ref`, or every live token of the principal named `ref`.
MATCH (t:ApiToken)-[:FOR]->(p:Principal)
WHERE (t.id = $ref OR p.name = $ref) AND t.revokedAt IS NULL
SET t.revokedAt = datetime.realtime(), t.revokedBy = $actor
RETURN t.id AS id, p.name AS name, p.role AS role
ORDER BY id

// Token metadata (never the hash), newest first.
MATCH (t:ApiToken)-[:FOR]->(p:Principal)
RETURN t.id AS id, p.name AS name, p.role AS role, t.createdAt AS createdAt, t.createdBy AS createdBy,
       t.revokedAt AS revokedAt, t.revokedBy AS revokedBy
ORDER BY t.createdAt DESC, t.id
LIMIT $limit

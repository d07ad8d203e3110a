// A page of token metadata (never the hash), newest first: $limit after the
// token whose id is $after (keyset on createdAt, id). `known` is false when
// $after names no token.
OPTIONAL MATCH (c:ApiToken {id: $after})
CALL (c) {
  MATCH (t:ApiToken)-[:FOR]->(p:Principal)
  WHERE c IS NULL OR [t.createdAt, t.id] < [c.createdAt, c.id]
  WITH t, p ORDER BY t.createdAt DESC, t.id DESC LIMIT $limit
  RETURN collect({id: t.id, name: p.name, role: p.role, createdAt: t.createdAt, createdBy: t.createdBy, revokedAt: t.revokedAt, revokedBy: t.revokedBy}) AS tokens
}
RETURN $after IS NULL OR c IS NOT NULL AS known, tokens

// The principal behind a live (unrevoked) token, by the token's hash.
MATCH (t:ApiToken {hash: $hash})-[:FOR]->(p:Principal)
WHERE t.revokedAt IS NULL
RETURN p.name AS name, p.role AS role, t.id AS tokenId

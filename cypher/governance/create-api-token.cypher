// A new token for the principal `name`, created with `role` on first use. No
// row back means the principal exists with another role (the caller refuses).
// The SET takes the principal's write lock, so its live tokens are counted
// exactly: none is created past $maxLive (`full`).
MERGE (p:Principal {name: $name})
  ON CREATE SET p.role = $role, p.createdAt = datetime.realtime(), p.createdBy = $actor
SET p.tokenLock = coalesce(p.tokenLock, 0) + 1
WITH p
WHERE p.role = $role
WITH p, COUNT { (live:ApiToken)-[:FOR]->(p) WHERE live.revokedAt IS NULL } >= $maxLive AS full
OPTIONAL CALL (p, full) {
  WITH p WHERE NOT full
  CREATE (t:ApiToken {id: $id, hash: $hash, createdAt: datetime.realtime(), createdBy: $actor})-[:FOR]->(p)
  RETURN t
}
RETURN t.id AS id, p.name AS name, p.role AS role, t.createdAt AS createdAt, full

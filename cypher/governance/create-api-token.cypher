// A new token for the principal `name`, created with `role` on first use. No
// row back means the principal exists with another role (the caller refuses).
MERGE (p:Principal {name: $name})
  ON CREATE SET p.role = $role, p.createdAt = datetime.realtime(), p.createdBy = $actor
WITH p
WHERE p.role = $role
CREATE (t:ApiToken {id: $id, hash: $hash, createdAt: datetime.realtime(), createdBy: $actor})-[:FOR]->(p)
RETURN t.id AS id, p.name AS name, p.role AS role, t.createdAt AS createdAt

// First start: the admin principal and its token. CREATE (not MERGE): when two
// replicas race, the principal_name constraint lets exactly one through.
CREATE (p:Principal {name: $name, role: 'ADMIN', createdAt: datetime.realtime(), createdBy: $actor})
CREATE (t:ApiToken {id: $id, hash: $hash, createdAt: datetime.realtime(), createdBy: $actor})-[:FOR]->(p)
RETURN t.id AS id, p.name AS name, p.role AS role, t.createdAt AS createdAt

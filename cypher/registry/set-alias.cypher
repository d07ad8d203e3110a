// Creates or moves an alias. SET on the alias takes its write lock before the
// current pointer is read, so concurrent moves queue and each sees the last.
MATCH (m:RegisteredModel {name: $modelName})
MATCH (v:ModelVersion {id: $versionId})
MERGE (a:Alias {modelName: $modelName, name: $alias})
ON CREATE SET a.createdAt = datetime.realtime()
SET a.updatedAt = datetime.realtime()
MERGE (a)-[:ALIAS_OF]->(m)
WITH a, v
OPTIONAL MATCH (a)-[old:POINTS_TO]->(prev:ModelVersion)
WITH a, v, old, prev {.*} AS previous
DELETE old
CREATE (a)-[:POINTS_TO]->(v)
RETURN previous, v {.*} AS version

// Creates or moves an alias. SET on the alias takes its write lock before the
// current pointer is read, so concurrent moves queue and each sees the last.
// Creating one also takes the model's write lock and counts the model's
// aliases under it: a new alias beyond $maxAliases is not created (`full`).
MATCH (m:RegisteredModel {name: $modelName})
MATCH (v:ModelVersion {id: $versionId})
OPTIONAL MATCH (existing:Alias {modelName: $modelName, name: $alias})
FOREACH (_ IN CASE WHEN existing IS NULL THEN [1] ELSE [] END | SET m.aliasLock = coalesce(m.aliasLock, 0) + 1)
WITH m, v, existing IS NULL AND COUNT { (:Alias)-[:ALIAS_OF]->(m) } >= $maxAliases AS full
OPTIONAL CALL (m, v, full) {
  WITH m, v WHERE NOT full
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
}
RETURN previous, version, full

// Resolves version references ({modelName, version} or {modelName, alias}, where
// alias "latest" is the highest version) in one round trip: the serving hot path.
// One row per ref, in order; version is null when nothing matches.
UNWIND range(0, size($refs) - 1) AS i
WITH i, $refs[i] AS ref
OPTIONAL MATCH (m:RegisteredModel {name: ref.modelName})
OPTIONAL MATCH (byNumber:ModelVersion {modelName: ref.modelName, version: ref.version})
OPTIONAL MATCH (:Alias {modelName: ref.modelName, name: ref.alias})-[:POINTS_TO]->(byAlias:ModelVersion)
WITH i, m, byNumber, byAlias,
  CASE WHEN ref.alias = 'latest'
    THEN COLLECT { MATCH (x:ModelVersion {modelName: ref.modelName}) WHERE x.version IS NOT NULL RETURN x ORDER BY x.version DESC LIMIT 1 }[0]
  END AS byLatest
WITH i, m, coalesce(byNumber, byAlias, byLatest) AS v
RETURN i, m {.*} AS model, v {.*} AS version
ORDER BY i

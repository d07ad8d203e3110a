// A model version by { modelName, version } or { modelName, alias }, the alias
// read now (inside the caller's transaction); "latest" = the highest version.
CALL () {
  MATCH (v:ModelVersion {modelName: $modelName})
  WHERE $version IS NOT NULL AND v.version = $version
  RETURN v
  UNION
  MATCH (:Alias {modelName: $modelName, name: $alias})-[:POINTS_TO]->(v:ModelVersion)
  WHERE $alias IS NOT NULL AND $alias <> 'latest'
  RETURN v
  UNION
  MATCH (v:ModelVersion {modelName: $modelName})
  WHERE $alias = 'latest'
  RETURN v ORDER BY v.version DESC LIMIT 1
}
RETURN v {.*, aliases: [(a:Alias)-[:POINTS_TO]->(v) | a.name]} AS modelVersion
LIMIT 1

// Batch: every alias of each model with the version it points to, at most
// $maxAliases (the cap set-alias keeps) (DataLoader).
UNWIND $keys AS key
RETURN key, COLLECT {
  MATCH (a:Alias {modelName: key})-[:POINTS_TO]->(v:ModelVersion)
  WHERE a.name IS NOT NULL // seeks the (modelName, name) index instead of scanning every POINTS_TO
  RETURN {alias: a.name, version: v {.*}} ORDER BY a.name LIMIT $maxAliases
} AS aliases

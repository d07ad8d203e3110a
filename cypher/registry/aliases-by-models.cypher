// Batch: every alias of each model with the version it points to (DataLoader).
UNWIND $keys AS key
RETURN key, COLLECT {
  MATCH (a:Alias {modelName: key})-[:POINTS_TO]->(v:ModelVersion)
  RETURN {alias: a.name, version: v {.*}} ORDER BY a.name
} AS aliases

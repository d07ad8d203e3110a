// Removes an alias; returns the version it pointed to. No row when it does not exist.
MATCH (a:Alias {modelName: $modelName, name: $alias})
SET a.updatedAt = datetime.realtime()
WITH a
OPTIONAL MATCH (a)-[:POINTS_TO]->(prev:ModelVersion)
WITH a, prev {.*} AS previous
DETACH DELETE a
RETURN previous

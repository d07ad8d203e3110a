// Batch: names of the aliases pointing at each version, at most $maxAliases
// (a model has no more) (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
RETURN key, COLLECT { MATCH (a:Alias)-[:POINTS_TO]->(v) RETURN a.name ORDER BY a.name LIMIT $maxAliases } AS aliases

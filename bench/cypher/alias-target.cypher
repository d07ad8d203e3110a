// Bench: the version an alias points to now.
MATCH (:Alias {modelName: $modelName, name: $alias})-[:POINTS_TO]->(v:ModelVersion)
RETURN v.version AS version

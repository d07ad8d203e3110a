// Model versions sharing a fingerprint: reproductions of one another.
MATCH (v:ModelVersion {fingerprint: $fingerprint})
RETURN v {.*, aliases: [(a:Alias)-[:POINTS_TO]->(v) | a.name]} AS modelVersion
ORDER BY v.modelName, v.version

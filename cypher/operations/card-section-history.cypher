// Every revision of one card section of a model (model-wide and per version),
// newest first.
MATCH (s:ModelCardSection {modelName: $modelName, key: $key})
OPTIONAL MATCH (v:ModelVersion {id: s.versionId})
RETURN s {.*, scope: CASE WHEN s.versionId IS NULL THEN 'MODEL' ELSE 'VERSION' END, version: v.version} AS section
ORDER BY s.at DESC
LIMIT 500

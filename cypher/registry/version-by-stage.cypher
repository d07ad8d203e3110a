// The newest version of a model in a stage (models:/NAME/STAGE).
OPTIONAL MATCH (m:RegisteredModel {name: $modelName})
OPTIONAL MATCH (v:ModelVersion {modelName: $modelName})
WHERE v.stage = $stage AND v.version IS NOT NULL
WITH m, v ORDER BY v.version DESC LIMIT 1
RETURN m {.*} AS model, v {.*} AS version

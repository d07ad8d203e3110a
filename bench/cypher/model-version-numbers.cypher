// Bench: every version number of one model, to check for duplicates and gaps.
MATCH (v:ModelVersion {modelName: $modelName})
RETURN v.version AS version
ORDER BY version

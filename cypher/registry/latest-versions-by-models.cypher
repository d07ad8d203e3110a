// Batch: the highest version of each model (DataLoader).
UNWIND $keys AS key
RETURN key, COLLECT {
  MATCH (v:ModelVersion {modelName: key}) WHERE v.version IS NOT NULL RETURN v {.*} ORDER BY v.version DESC LIMIT 1
}[0] AS version

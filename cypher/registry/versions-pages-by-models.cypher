// Batch: one page of each model's versions, newest first, plus the total
// (DataLoader; a key is {modelName, afterVersion}; every key in a batch shares $limit).
UNWIND $keys AS key
RETURN key,
  COUNT { MATCH (v:ModelVersion {modelName: key.modelName}) WHERE v.version IS NOT NULL } AS total,
  COLLECT {
    MATCH (v:ModelVersion {modelName: key.modelName})
    WHERE v.version IS NOT NULL AND (key.afterVersion IS NULL OR v.version < key.afterVersion)
    WITH v ORDER BY v.version DESC LIMIT $limit
    RETURN v {.*}
  } AS versions

// Batch: model versions by id (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
RETURN key, v {.*} AS version

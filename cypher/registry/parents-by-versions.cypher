// Batch: each version's base models (FINE_TUNED_FROM) and teachers
// (DISTILLED_FROM) that are model versions (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
RETURN key,
  COLLECT { MATCH (v)-[:FINE_TUNED_FROM]->(b:ModelVersion) RETURN b {.*} ORDER BY b.modelName, b.version } AS bases,
  COLLECT { MATCH (v)-[:DISTILLED_FROM]->(t:ModelVersion) RETURN t {.*} ORDER BY t.modelName, t.version } AS teachers

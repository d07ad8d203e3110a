// Batch: each version's base models (FINE_TUNED_FROM) and teachers
// (DISTILLED_FROM) that are model versions, the prompt versions it uses
// (USES_PROMPT) and the version it was copied from (COPIED_FROM) (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
RETURN key,
  COLLECT { MATCH (v)-[:FINE_TUNED_FROM]->(b:ModelVersion) RETURN b {.*} ORDER BY b.modelName, b.version } AS bases,
  COLLECT { MATCH (v)-[:DISTILLED_FROM]->(t:ModelVersion) RETURN t {.*} ORDER BY t.modelName, t.version } AS teachers,
  COLLECT { MATCH (v)-[:USES_PROMPT]->(p:ModelVersion) RETURN p {.*} ORDER BY p.modelName, p.version } AS prompts,
  COLLECT { MATCH (v)-[:COPIED_FROM]->(c:ModelVersion) RETURN c {.*} } AS copiedFrom

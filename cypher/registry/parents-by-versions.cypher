// Batch: each version's base model (FINE_TUNED_FROM, the first by model and
// version) and teachers (DISTILLED_FROM, at most $maxTeachers) that are model
// versions, the prompt versions it uses (USES_PROMPT, at most $maxTeachers)
// and the version it was copied from (COPIED_FROM) (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
RETURN key,
  COLLECT { MATCH (v)-[:FINE_TUNED_FROM]->(b:ModelVersion) RETURN b {.*} ORDER BY b.modelName, b.version LIMIT 1 } AS bases,
  COLLECT { MATCH (v)-[:DISTILLED_FROM]->(t:ModelVersion) RETURN t {.*} ORDER BY t.modelName, t.version LIMIT $maxTeachers } AS teachers,
  COLLECT { MATCH (v)-[:USES_PROMPT]->(p:ModelVersion) RETURN p {.*} ORDER BY p.modelName, p.version LIMIT $maxTeachers } AS prompts,
  COLLECT { MATCH (v)-[:COPIED_FROM]->(c:ModelVersion) RETURN c {.*} LIMIT 1 } AS copiedFrom

// Batch: tags of models or versions by node id, sorted by key, at most
// $maxTags each (the cap set-*-tag keeps) (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (m:RegisteredModel {id: key})
OPTIONAL MATCH (v:ModelVersion {id: key})
WITH key, coalesce(m, v) AS owner
RETURN key, COLLECT { MATCH (owner)-[:HAS_TAG]->(t:Tag) RETURN t {.key, .value} ORDER BY t.key LIMIT $maxTags } AS tags

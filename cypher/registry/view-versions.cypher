// The alias view (src/registry/view): versions by model name and number, with
// what the view holds beside the record: the training run's id and the tags
// (sorted by key, at most $maxTags, as the tag loader reads them). A key with
// no such version (deleted or renamed since) has no row.
UNWIND $keys AS k
MATCH (v:ModelVersion {modelName: k.modelName, version: k.version})
RETURN v {.*} AS version,
  COLLECT { MATCH (v)-[:PRODUCED_BY]->(r:Run) RETURN r.id AS id ORDER BY id LIMIT 1 }[0] AS runId,
  COLLECT { MATCH (v)-[:HAS_TAG]->(t:Tag) RETURN t {.key, .value} ORDER BY t.key LIMIT $maxTags } AS tags

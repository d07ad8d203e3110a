// A version and its training run (null when registered without one), taking
// the version's write lock first: a concurrent link of the same version waits.
MATCH (v:ModelVersion {id: $versionId})
SET v.updatedAt = v.updatedAt
WITH v
OPTIONAL MATCH (v)-[:PRODUCED_BY]->(r:Run)
RETURN v {.*} AS version, r.id AS runId

// What an OpenLineage event about each registered version needs: the version,
// its training run (with its OpenLineage job, when it has one) and the
// dataset versions that run used (at most 100), in key order.
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
OPTIONAL MATCH (v)-[:PRODUCED_BY]->(r:Run)
RETURN key,
  CASE WHEN v IS NULL THEN null ELSE v {.id, .modelName, .version, .semver, .stage, .source, .checksum, .fingerprint} END AS version,
  CASE WHEN r IS NULL THEN null ELSE r {.id, .name, .experiment, .origin, .jobNamespace, .jobName, .codeRepo, .codeCommit} END AS run,
  COLLECT { MATCH (r)-[:USED]->(d) WHERE d:DatasetVersion OR d:DataSource
            RETURN {uri: coalesce(d.uri, d.datasetName), dataset: coalesce(d.datasetName, d.uri), version: d.version}
            ORDER BY coalesce(d.datasetName, d.uri), d.version LIMIT 100 } AS inputs

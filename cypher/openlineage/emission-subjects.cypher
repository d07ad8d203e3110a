// What an OpenLineage event about each registered version needs: the version,
// its training run (with its OpenLineage job, when it has one) and the
// dataset versions that run used (at most 100), in key order.
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
OPTIONAL MATCH (v)-[:PRODUCED_BY]->(r:Run)
RETURN key,
  CASE WHEN v IS NULL THEN null ELSE v {.id, .modelName, .version, .semver, .stage, .source, .checksum, .fingerprint} END AS version,
  CASE WHEN r IS NULL THEN null ELSE r {.id, .name, .experiment, .origin, .jobNamespace, .jobName, .codeRepo, .codeCommit} END AS run,
  // a raw source keeps the version the producer named on the reference (olVersion)
  COLLECT { MATCH (r)-[u:USED]->(d) WHERE d:DatasetVersion OR d:DataSource
            WITH coalesce(d.uri, d.datasetName) AS uri, coalesce(d.datasetName, d.uri) AS dataset,
                 coalesce(d.version, CASE WHEN u.olVersion <> '' THEN u.olVersion END) AS version
            RETURN {uri: uri, dataset: dataset, version: version}
            ORDER BY dataset, version LIMIT 100 } AS inputs

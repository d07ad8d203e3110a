// MLflow runs by id, in key order: the Run with its latest metrics and its
// input dataset versions (null where absent or not an MLflow run). The hint keeps
// the seek on the id (see read-run-for-update).
UNWIND $keys AS key
OPTIONAL MATCH (r:Run {id: key}) USING INDEX r:Run(id) WHERE r.mlflowExperimentId IS NOT NULL
RETURN key, r {.*} AS run,
  COLLECT { MATCH (r)-[:HAS_METRIC]->(m:Metric) WHERE m.segment IS NULL RETURN m {.key, .value, .timestamp, .step} ORDER BY m.key } AS metrics,
  COLLECT { MATCH (r)-[u:USED]->(dv:DatasetVersion) RETURN {role: u.role, tags: u.mlflowTags, dataset: dv {.*}} ORDER BY dv.datasetName, dv.version } AS inputs

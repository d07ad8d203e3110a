// Writes merged params and tags, appends every logged metric point to the
// run's history (MetricPoint; a point logged twice is kept once), replaces the
// latest value of the metric keys whose latest changed (the service picks it
// by MLflow's rule), and sets the run's name and end time when given.
MATCH (r:Run {id: $runId})
SET r.params = $params, r.mlflowTags = $tags, r.name = coalesce($name, r.name),
  r.mlflowEndTime = coalesce($endTime, r.mlflowEndTime),
  r.mlflowLifecycleStage = coalesce($lifecycleStage, r.mlflowLifecycleStage)
WITH r
CALL (r) {
  UNWIND $points AS x
  MERGE (:MetricPoint {runId: r.id, key: x.key, timestamp: x.timestamp, step: x.step, value: toFloat(x.value)})
}
CALL (r) {
  UNWIND $metrics AS x
  OPTIONAL MATCH (r)-[:HAS_METRIC]->(old:Metric {key: x.key}) WHERE old.segment IS NULL
  DETACH DELETE old
  WITH DISTINCT x
  CREATE (r)-[:HAS_METRIC]->(:Metric {key: x.key, value: toFloat(x.value), timestamp: x.timestamp, step: x.step})
}
RETURN r.id AS id

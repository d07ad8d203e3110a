// What a log call merges into, read under the run's write lock (logs to one run queue here).
// The hint keeps the seek on the id: while few runs are MLflow runs, the
// planner's statistics can make a scan of the mlflowExperimentId index look cheaper.
MATCH (r:Run {id: $runId}) USING INDEX r:Run(id) WHERE r.mlflowExperimentId IS NOT NULL
SET r.mlflowLock = coalesce(r.mlflowLock, 0) + 1
RETURN r {.id, .params, .mlflowTags, .status, .mlflowLifecycleStage, .name} AS run,
  COLLECT { MATCH (r)-[:HAS_METRIC]->(m:Metric) WHERE m.segment IS NULL RETURN m {.key, .value, .timestamp, .step} } AS metrics

// What a log call merges into, read under the run's write lock (logs to one run queue here).
MATCH (r:Run {id: $runId}) WHERE r.mlflowExperimentId IS NOT NULL
SET r.mlflowLock = coalesce(r.mlflowLock, 0) + 1
RETURN r {.id, .params, .mlflowTags, .status, .mlflowLifecycleStage, .name} AS run,
  COLLECT { MATCH (r)-[:HAS_METRIC]->(m:Metric) WHERE m.segment IS NULL RETURN m {.key, .value, .timestamp, .step} } AS metrics

// Ends a RUNNING run with its final status and metrics. Returns the status it
// had before, so the service can refuse finishing a run twice, and writes
// nothing when the run would hold more than $maxMetrics metrics (`full`). Each
// unsegmented final metric is also a point of the run's metric history (step
// 0, at the end time), so MLflow's get-history and Run.metricHistory show it.
MATCH (r:Run {id: $id})
WITH r, r.status AS previous, COUNT { (r)-[:HAS_METRIC]->(:Metric) } + size($metrics) > $maxMetrics AS full
CALL (r, previous, full) {
  WITH r WHERE previous = 'RUNNING' AND NOT full
  SET r.status = $status, r.endedAt = datetime.realtime()
  WITH r, r.endedAt.epochMillis AS endMs
  UNWIND $metrics AS m
  CREATE (r)-[:HAS_METRIC]->(:Metric {key: m.key, value: toFloat(m.value), segment: m.segment, timestamp: endMs, step: 0})
  FOREACH (_ IN CASE WHEN m.segment IS NULL THEN [1] ELSE [] END |
    MERGE (:MetricPoint {runId: r.id, key: m.key, timestamp: endMs, step: 0, value: toFloat(m.value)}))
  RETURN count(*) AS written
}
RETURN r {.*} AS run, previous, full

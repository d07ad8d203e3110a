// Ends a RUNNING run with its final status and metrics. Returns the status it
// had before, so the service can refuse finishing a run twice, and writes
// nothing when the run would hold more than $maxMetrics metrics (`full`).
MATCH (r:Run {id: $id})
WITH r, r.status AS previous, COUNT { (r)-[:HAS_METRIC]->(:Metric) } + size($metrics) > $maxMetrics AS full
CALL (r, previous, full) {
  WITH r WHERE previous = 'RUNNING' AND NOT full
  SET r.status = $status, r.endedAt = datetime.realtime()
  WITH r
  UNWIND $metrics AS m
  CREATE (r)-[:HAS_METRIC]->(:Metric {key: m.key, value: toFloat(m.value), segment: m.segment})
  RETURN count(*) AS written
}
RETURN r {.*} AS run, previous, full

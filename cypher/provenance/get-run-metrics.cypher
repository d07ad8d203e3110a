// Metrics of runs, in key order, at most $maxMetrics each (the cap writes
// keep) (DataLoader batch).
UNWIND $keys AS key
OPTIONAL MATCH (:Run {id: key})-[:HAS_METRIC]->(m:Metric)
WITH key, m ORDER BY m.key, m.segment
RETURN key, collect(m {.key, .value, .segment})[0..$maxMetrics] AS metrics

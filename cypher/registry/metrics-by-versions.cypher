// Batch: metrics of versions by version id, at most $maxMetrics each (the cap
// registration keeps) (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})
RETURN key, COLLECT {
  MATCH (v)-[:HAS_METRIC]->(x:Metric) RETURN x {.key, .value, .segment} ORDER BY x.key, x.segment IS NOT NULL, x.segment LIMIT $maxMetrics
} AS metrics

// Pages of run-metric histories, one row per key in key order (DataLoader
// batch; get-history sends one key): the points after the key's cursor
// (timestamp, step, value of the last point seen; null for the first page) in
// MLflow's order (timestamp, step, value), the count of all the metric's
// points, and whether the run is an MLflow run. The seek and the order come
// from the MetricPoint key constraint's index (runId, key, timestamp, step,
// value); k.from (the cursor's timestamp) bounds the range it reads. A composite
// index is only sought with a predicate on every property it covers, hence the
// IS NOT NULL checks. The hint keeps the run's seek on its id (see read-run-for-update).
UNWIND $keys AS k
RETURN k.runId AS runId,
  EXISTS { MATCH (r:Run {id: k.runId}) USING INDEX r:Run(id) WHERE r.mlflowExperimentId IS NOT NULL } AS mlflowRun,
  COUNT { MATCH (p:MetricPoint {runId: k.runId, key: k.key}) WHERE p.timestamp IS NOT NULL AND p.step IS NOT NULL AND p.value IS NOT NULL } AS total,
  COLLECT {
    MATCH (p:MetricPoint {runId: k.runId, key: k.key})
    WHERE p.timestamp >= k.from AND p.step IS NOT NULL AND p.value IS NOT NULL
      AND (k.after IS NULL OR p.timestamp > k.after[0]
        OR (p.timestamp = k.after[0] AND (p.step > k.after[1] OR (p.step = k.after[1] AND p.value > toFloat(k.after[2])))))
    RETURN p {.key, .value, .timestamp, .step}
    ORDER BY p.timestamp, p.step, p.value
    LIMIT $limit
  } AS points

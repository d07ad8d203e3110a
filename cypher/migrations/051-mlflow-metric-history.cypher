// MLflow metric history: every point a run logs (log-metric, log-batch) is one
// (:MetricPoint {runId, key, timestamp, step, value}) node, kept beside the
// run's latest value per key (the (:Metric) under HAS_METRIC). One small node
// per point, created through this constraint's index: logging step 10,000
// costs what logging step 1 did (no growing list property to rewrite, and no
// MERGE walking the relationships of a run with thousands of points). The
// key is MLflow's metrics primary key, so logging the same point twice keeps
// one, as MLflow does; its index also serves get-history, which seeks
// (runId, key) and reads in (timestamp, step, value) order.
CREATE CONSTRAINT metric_point_key IF NOT EXISTS FOR (p:MetricPoint) REQUIRE (p.runId, p.key, p.timestamp, p.step, p.value) IS UNIQUE;
// Runs logged before the history was kept: their latest value is all the history they have.
MATCH (r:Run)-[:HAS_METRIC]->(m:Metric)
WHERE r.mlflowExperimentId IS NOT NULL AND m.segment IS NULL AND m.step IS NOT NULL AND m.timestamp IS NOT NULL
MERGE (:MetricPoint {runId: r.id, key: m.key, timestamp: m.timestamp, step: m.step, value: m.value})

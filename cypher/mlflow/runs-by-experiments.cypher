// Ids of the MLflow runs of some experiments, newest first (search filters them).
MATCH (r:Run) WHERE r.mlflowExperimentId IN $experimentIds
RETURN r.id AS id
ORDER BY r.mlflowStartTime DESC, r.id
LIMIT $limit

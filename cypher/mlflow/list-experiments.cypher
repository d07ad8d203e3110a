// All experiments (search filters and pages them; bounded by $limit).
MATCH (e:MlflowExperiment)
RETURN e {.*} AS experiment
ORDER BY toInteger(e.id)
LIMIT $limit

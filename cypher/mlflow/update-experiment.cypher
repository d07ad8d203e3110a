// Renames an experiment, sets its tags or lifecycle stage; returns what it was.
MATCH (e:MlflowExperiment {id: $id})
WITH e, e {.*} AS before
SET e.name = coalesce($name, e.name), e.tags = coalesce($tags, e.tags),
  e.lifecycleStage = coalesce($lifecycleStage, e.lifecycleStage), e.lastUpdateTime = $now
RETURN before, e {.*} AS experiment

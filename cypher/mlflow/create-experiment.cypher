// Creates an experiment numbered by the counter (the counter's write lock
// serialises creations); the name's uniqueness constraint refuses a taken name.
// createdBy: the principal whose artifacts the experiment's root holds.
MATCH (c:Counter {name: 'mlflowExperiments'})
SET c.value = c.value + 1
WITH toString(c.value) AS id
CREATE (e:MlflowExperiment {
  id: id, name: $name,
  artifactLocation: coalesce($artifactLocation, 'mlflow-artifacts:/' + id),
  lifecycleStage: 'active', creationTime: $now, lastUpdateTime: $now, tags: $tags,
  createdBy: $actor
})
RETURN e {.*} AS experiment

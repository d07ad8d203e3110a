// An MLflow 3 logged model: artifacts under its experiment, PENDING until finalized.
MATCH (e:MlflowExperiment {id: $experimentId})
CREATE (m:MlflowLoggedModel {
  id: $id, experimentId: e.id, name: $name,
  artifactUri: e.artifactLocation + '/models/' + $id + '/artifacts',
  status: 'LOGGED_MODEL_PENDING', modelType: $modelType, sourceRunId: $sourceRunId,
  creatorId: $actor, creationTime: $now, lastUpdatedTime: $now, tags: $tags, params: $params
})
RETURN m {.*} AS model

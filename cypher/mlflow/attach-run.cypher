// Makes a provenance Run an MLflow run: its experiment, artifact root, tags and times.
MATCH (r:Run {id: $runId})
MATCH (e:MlflowExperiment {id: $experimentId})
SET r.mlflowExperimentId = e.id, r.experiment = e.name,
  r.mlflowArtifactUri = e.artifactLocation + '/' + r.id + '/artifacts',
  r.mlflowLifecycleStage = 'active', r.mlflowTags = $tags, r.mlflowStartTime = $startTime,
  r.mlflowUser = $user
RETURN r {.*} AS run

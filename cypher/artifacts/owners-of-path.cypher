// The runs, logged models and experiments whose artifact root is one of $uris
// (a path and its ancestors as mlflow-artifacts:/ URIs), each with its creator.
// The service takes the deepest: a run's files are the run creator's.
OPTIONAL MATCH (r:Run) WHERE r.mlflowArtifactUri IN $uris
WITH collect(r {kind: 'run', .id, uri: r.mlflowArtifactUri, creator: r.createdBy}) AS runs
OPTIONAL MATCH (m:MlflowLoggedModel) WHERE m.artifactUri IN $uris
WITH runs, collect(m {kind: 'logged model', .id, uri: m.artifactUri, creator: m.creatorId}) AS models
OPTIONAL MATCH (e:MlflowExperiment) WHERE e.artifactLocation IN $uris
WITH runs, models, collect(e {kind: 'experiment', .id, uri: e.artifactLocation, creator: e.createdBy}) AS experiments
RETURN runs + models + experiments AS owners

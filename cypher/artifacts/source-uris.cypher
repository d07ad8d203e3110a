// Where a run's or a logged model's artifacts are (null where unknown): resolves runs:/ and models:/m-… sources.
OPTIONAL MATCH (r:Run {id: $runId})
OPTIONAL MATCH (m:MlflowLoggedModel {id: $loggedModelId})
RETURN r.mlflowArtifactUri AS runUri, m.artifactUri AS loggedModelUri

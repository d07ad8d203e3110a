// MLflow compatibility: experiments (numbered by a counter, "0" = Default) and
// MLflow 3 logged models. MLflow runs are provenance Runs with mlflow* properties.
CREATE CONSTRAINT mlflow_experiment_id IF NOT EXISTS FOR (e:MlflowExperiment) REQUIRE e.id IS UNIQUE;
CREATE CONSTRAINT mlflow_experiment_name IF NOT EXISTS FOR (e:MlflowExperiment) REQUIRE e.name IS UNIQUE;
CREATE CONSTRAINT mlflow_logged_model_id IF NOT EXISTS FOR (m:MlflowLoggedModel) REQUIRE m.id IS UNIQUE;
CREATE INDEX run_mlflow_experiment IF NOT EXISTS FOR (r:Run) ON (r.mlflowExperimentId);
CREATE INDEX mlflow_logged_model_experiment IF NOT EXISTS FOR (m:MlflowLoggedModel) ON (m.experimentId);
MERGE (c:Counter {name: 'mlflowExperiments'}) ON CREATE SET c.value = 0;
MERGE (e:MlflowExperiment {id: '0'})
  ON CREATE SET e.name = 'Default', e.artifactLocation = 'mlflow-artifacts:/0', e.lifecycleStage = 'active',
    e.creationTime = timestamp(), e.lastUpdateTime = timestamp(), e.tags = '{}'

// Provenance: runs, datasets and their versions, raw sources, provider models,
// predictions, deployments. Ids are unique per label so lineage can seek a
// node by id through each label's index.
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (r:Run) REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (d:Dataset) REQUIRE d.id IS UNIQUE;
CREATE CONSTRAINT dataset_name IF NOT EXISTS FOR (d:Dataset) REQUIRE d.name IS UNIQUE;
CREATE CONSTRAINT dataset_version_id IF NOT EXISTS FOR (d:DatasetVersion) REQUIRE d.id IS UNIQUE;
// One version string per dataset.
CREATE CONSTRAINT dataset_version_number IF NOT EXISTS FOR (d:DatasetVersion) REQUIRE (d.datasetName, d.version) IS UNIQUE;
CREATE CONSTRAINT data_source_id IF NOT EXISTS FOR (s:DataSource) REQUIRE s.id IS UNIQUE;
// Raw sources are shared by URI: MERGE on it is safe under this constraint.
CREATE CONSTRAINT data_source_uri IF NOT EXISTS FOR (s:DataSource) REQUIRE s.uri IS UNIQUE;
CREATE CONSTRAINT provider_model_id IF NOT EXISTS FOR (p:ProviderModel) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT provider_model_pin IF NOT EXISTS FOR (p:ProviderModel) REQUIRE (p.provider, p.name, p.providerVersion) IS UNIQUE;
// A prediction is identified by the caller's id: logging it again MERGEs onto the same node.
CREATE CONSTRAINT prediction_id IF NOT EXISTS FOR (p:Prediction) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT deployment_name IF NOT EXISTS FOR (d:Deployment) REQUIRE d.name IS UNIQUE;
CREATE CONSTRAINT deployment_id IF NOT EXISTS FOR (d:Deployment) REQUIRE d.id IS UNIQUE;
CREATE INDEX run_experiment IF NOT EXISTS FOR (r:Run) ON (r.experiment);
CREATE INDEX dataset_version_hash IF NOT EXISTS FOR (d:DatasetVersion) ON (d.hash)

// OpenLineage ingestion (src/provenance/openlineage). A job is (namespace, name).
CREATE CONSTRAINT job_id IF NOT EXISTS FOR (j:Job) REQUIRE j.id IS UNIQUE;
CREATE CONSTRAINT job_namespace_name IF NOT EXISTS FOR (j:Job) REQUIRE (j.namespace, j.name) IS UNIQUE;
// runs(job:) pages a job's runs newest first by seeking this index.
CREATE INDEX run_job_started IF NOT EXISTS FOR (r:Run) ON (r.jobNamespace, r.jobName, r.startedAt);
// An input without a version facet is the newest version of its dataset some
// run produced no later than the consuming run ended: a seek on this index.
CREATE INDEX dataset_version_produced IF NOT EXISTS FOR (d:DatasetVersion) ON (d.datasetName, d.olProducedKey);
// Linking: a version registered after the run that wrote its source, and the
// reverse (a run's output whose URI is a registered version's source).
CREATE INDEX dataset_version_uri IF NOT EXISTS FOR (d:DatasetVersion) ON (d.uri);
CREATE INDEX model_version_source IF NOT EXISTS FOR (v:ModelVersion) ON (v.source);
// A producer arriving late takes over the references that were waiting for
// it: unversioned inputs of runs that ended after it did.
CREATE INDEX used_openlineage_ref IF NOT EXISTS FOR ()-[u:USED]-() ON (u.olDataset, u.olVersion, u.olAt)

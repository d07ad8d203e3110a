// Batch: each model's newest version in each MLflow stage (MLflow's
// latest_versions and get-latest-versions; CANARY counts as Staging, MLflow
// has no canary), newest first: at most four per model, however many
// versions it has.
UNWIND $keys AS key
RETURN key, COLLECT {
  MATCH (v:ModelVersion {modelName: key}) WHERE v.version IS NOT NULL
  WITH v, CASE v.stage WHEN 'CANARY' THEN 'STAGING' ELSE v.stage END AS stage
  ORDER BY v.version DESC
  WITH stage, head(collect(v)) AS newest
  RETURN newest {.*} AS version ORDER BY version.version DESC
} AS versions

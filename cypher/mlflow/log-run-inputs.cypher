// Logged inputs become provenance dataset versions (dataset = MLflow dataset
// name, version = its digest), shared by name and digest, linked to the run
// by USED with the role taken from the mlflow.data.context tag. Writes
// nothing when the run would use more than $maxInputs dataset versions
// (`full`; the caller holds the run's write lock, so the count is exact).
MATCH (r:Run {id: $runId})
WITH r, COUNT { (r)-[:USED]->() }
        + size([x IN $datasets WHERE NOT EXISTS { (r)-[:USED]->(:DatasetVersion {datasetName: x.name, version: x.digest}) }]) > $maxInputs AS full
OPTIONAL CALL (r, full) {
  WITH r WHERE NOT full
  UNWIND $datasets AS x
  MERGE (d:Dataset {name: x.name})
    ON CREATE SET d.id = randomUUID(), d.createdAt = datetime.realtime()
  MERGE (dv:DatasetVersion {datasetName: x.name, version: x.digest})
    ON CREATE SET dv.id = randomUUID(), dv.hash = x.digest, dv.uri = x.uri, dv.rowCount = null,
      dv.createdAt = datetime.realtime(), dv.createdBy = $actor, dv.created = true,
      dv.mlflowSourceType = x.sourceType, dv.mlflowSource = x.source, dv.mlflowSchema = x.schema, dv.mlflowProfile = x.profile
  MERGE (dv)-[:VERSION_OF]->(d)
  MERGE (r)-[u:USED]->(dv)
    ON CREATE SET u.role = x.role, u.mlflowTags = x.tags
  WITH dv, dv.created AS created
  REMOVE dv.created
  RETURN dv.id AS id, dv.datasetName AS dataset, dv.version AS version, coalesce(created, false) AS created
}
RETURN id, dataset, version, created, full

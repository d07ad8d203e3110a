// Bench generator: dataset versions with their derivation edges to earlier
// versions and raw sources. Parents are always loaded in an earlier batch.
UNWIND $rows AS r
MATCH (d:Dataset {name: r.dataset})
CREATE (dv:DatasetVersion {
  id: r.id,
  datasetName: r.dataset,
  version: r.version,
  hash: r.hash,
  uri: r.uri,
  rowCount: r.rowCount,
  createdAt: datetime({epochMillis: r.atMs}),
  createdBy: r.actor
})-[:VERSION_OF]->(d)
WITH dv, r
CALL (dv, r) {
  UNWIND r.parents AS parentId
  MATCH (parent:DatasetVersion {id: parentId})
  CREATE (dv)-[:DERIVED_FROM {transform: r.transform}]->(parent)
}
CALL (dv, r) {
  UNWIND r.sources AS sourceId
  MATCH (s:DataSource {id: sourceId})
  CREATE (dv)-[:DERIVED_FROM {transform: r.transform}]->(s)
}

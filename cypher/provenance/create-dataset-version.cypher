// Registers one dataset version: the dataset by name and raw sources by URI
// are created on first use and shared afterwards. Returns how many of the
// requested parents were found, so the service can refuse (and roll back)
// when one is missing.
MERGE (d:Dataset {name: $dataset})
  ON CREATE SET d.id = randomUUID(), d.createdAt = datetime.realtime()
CREATE (dv:DatasetVersion {
  id: randomUUID(),
  datasetName: $dataset,
  version: $version,
  hash: $hash,
  uri: $uri,
  rowCount: $rowCount,
  createdAt: datetime.realtime(),
  createdBy: $actor
})-[:VERSION_OF]->(d)
WITH dv
CALL (dv) {
  UNWIND $derivedFrom AS parentId
  MATCH (parent:DatasetVersion {id: parentId})
  CREATE (dv)-[:DERIVED_FROM {transform: $transform}]->(parent)
  RETURN count(parent) AS parents
}
CALL (dv) {
  UNWIND $sources AS uri
  MERGE (s:DataSource {uri: uri})
    ON CREATE SET s.id = randomUUID(), s.createdAt = datetime.realtime()
  CREATE (dv)-[:DERIVED_FROM {transform: $transform}]->(s)
  RETURN count(s) AS sources
}
RETURN dv {.*, createdAt: dv.createdAt} AS datasetVersion, parents, sources

// The node a lineage walk starts from, by id, whatever its kind: its element
// id (what the walk's hops take), the properties its label is made of, and
// its kind.
CALL () {
  MATCH (n:ModelVersion {id: $id}) RETURN n
  UNION MATCH (n:Run {id: $id}) RETURN n
  UNION MATCH (n:DatasetVersion {id: $id}) RETURN n
  UNION MATCH (n:DataSource {id: $id}) RETURN n
  UNION MATCH (n:ProviderModel {id: $id}) RETURN n
  UNION MATCH (n:Prediction {id: $id}) RETURN n
  UNION MATCH (n:Deployment {id: $id}) RETURN n
}
WITH n LIMIT 1
RETURN elementId(n) AS eid, n {.id, .modelName, .version, .name, .datasetName, .uri, .provider, .providerVersion, .jobNamespace, .jobName} AS props,
       [l IN labels(n) WHERE l IN ['ModelVersion', 'Run', 'DatasetVersion', 'DataSource', 'ProviderModel', 'Prediction', 'Deployment']][0] AS kind

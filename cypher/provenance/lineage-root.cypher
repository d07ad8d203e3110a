// The node a grouped lineage walk starts from, by id, whatever its kind.
CALL () {
  MATCH (n:ModelVersion {id: $id}) RETURN n
  UNION MATCH (n:Run {id: $id}) RETURN n
  UNION MATCH (n:DatasetVersion {id: $id}) RETURN n
  UNION MATCH (n:DataSource {id: $id}) RETURN n
  UNION MATCH (n:ProviderModel {id: $id}) RETURN n
  UNION MATCH (n:Prediction {id: $id}) RETURN n
  UNION MATCH (n:Deployment {id: $id}) RETURN n
}
RETURN elementId(n) AS eid, n.id AS id,
       [l IN labels(n) WHERE l IN ['ModelVersion', 'Run', 'DatasetVersion', 'DataSource', 'ProviderModel', 'Prediction', 'Deployment']][0] AS kind
LIMIT 1

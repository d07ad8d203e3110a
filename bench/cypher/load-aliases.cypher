// Bench generator: aliases pointing at versions (shape of registry/set-alias).
UNWIND $rows AS r
MATCH (m:RegisteredModel {name: r.modelName})
MATCH (v:ModelVersion {id: r.versionId})
CREATE (a:Alias {modelName: r.modelName, name: r.alias,
  createdAt: datetime({epochMillis: r.atMs}), updatedAt: datetime({epochMillis: r.atMs})})
CREATE (a)-[:ALIAS_OF]->(m)
CREATE (a)-[:POINTS_TO]->(v)

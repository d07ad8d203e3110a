// Bench generator: logged predictions (shape of provenance/log-predictions).
UNWIND $rows AS r
MATCH (v:ModelVersion {id: r.versionId})
MATCH (dep:Deployment {id: r.deploymentId})
CREATE (p:Prediction {id: r.id, at: datetime({epochMillis: r.atMs}), inputRef: r.inputRef,
  loggedAt: datetime({epochMillis: r.atMs})})
CREATE (p)-[:MADE_BY]->(v)
CREATE (p)-[:SERVED_BY]->(dep)

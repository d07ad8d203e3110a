// Points each alias of a batch at its final target ($moves: one per distinct
// (model, alias), locked by registry/lock-aliases in this transaction),
// creating it when new.
UNWIND $moves AS x
MATCH (m:RegisteredModel {name: x.modelName})
MATCH (v:ModelVersion {id: x.versionId})
MERGE (a:Alias {modelName: x.modelName, name: x.alias})
ON CREATE SET a.createdAt = datetime.realtime()
SET a.updatedAt = datetime.realtime()
MERGE (a)-[:ALIAS_OF]->(m)
WITH a, v
OPTIONAL MATCH (a)-[old:POINTS_TO]->(:ModelVersion)
DELETE old
WITH DISTINCT a, v
CREATE (a)-[:POINTS_TO]->(v)

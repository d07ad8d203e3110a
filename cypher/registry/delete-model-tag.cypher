// Removes one tag from a model; no row when the model has no such tag.
MATCH (m:RegisteredModel {name: $modelName})-[:HAS_TAG]->(t:Tag {key: $key})
SET m.updatedAt = datetime.realtime()
WITH m, t, t.value AS previous
DETACH DELETE t
RETURN m {.*} AS model, previous

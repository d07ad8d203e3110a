// Inserts or updates one tag on a model; returns the value it replaced.
MATCH (m:RegisteredModel {name: $modelName})
SET m.updatedAt = datetime.realtime()
WITH m
OPTIONAL MATCH (m)-[:HAS_TAG]->(old:Tag {key: $key})
WITH m, old, old.value AS previous
FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END | CREATE (m)-[:HAS_TAG]->(:Tag {key: $key, value: $value}))
FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END | SET old.value = $value)
RETURN m {.*} AS model, previous

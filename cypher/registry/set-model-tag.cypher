// Inserts or updates one tag on a model; returns the value it replaced. The
// SET takes the model's write lock first, so the count of its tags is exact:
// a new key beyond $maxTags is not written (`full`).
MATCH (m:RegisteredModel {name: $modelName})
SET m.updatedAt = datetime.realtime()
WITH m
OPTIONAL MATCH (m)-[:HAS_TAG]->(old:Tag {key: $key})
WITH m, old, old.value AS previous, old IS NULL AND COUNT { (m)-[:HAS_TAG]->(:Tag) } >= $maxTags AS full
FOREACH (_ IN CASE WHEN old IS NULL AND NOT full THEN [1] ELSE [] END | CREATE (m)-[:HAS_TAG]->(:Tag {key: $key, value: $value}))
FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END | SET old.value = $value)
RETURN m {.*} AS model, previous, full

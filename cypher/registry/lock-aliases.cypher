// Takes the locks a batch of alias moves needs, then reads what they move
// from: for each (model, alias) pair ($pairs, sorted), a new alias takes the
// model's write lock (which serialises creating and counting its aliases), an
// existing one its own (which serialises its moves); the current pointer and
// the model's alias count are read under them. An alias created by another
// transaction while this one waited for the model's lock is found by the
// second match and locked in turn.
UNWIND $pairs AS p
MATCH (m:RegisteredModel {name: p.modelName})
OPTIONAL MATCH (seen:Alias {modelName: p.modelName, name: p.alias})
FOREACH (_ IN CASE WHEN seen IS NULL THEN [1] ELSE [] END | SET m.aliasLock = coalesce(m.aliasLock, 0) + 1)
WITH p, m
OPTIONAL MATCH (a:Alias {modelName: p.modelName, name: p.alias})
FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | SET a.updatedAt = datetime.realtime())
WITH p, m, a
OPTIONAL MATCH (a)-[:POINTS_TO]->(prev:ModelVersion)
RETURN p.modelName AS modelName, p.alias AS alias, a IS NOT NULL AS exists, prev {.*} AS previous,
  COUNT { (:Alias)-[:ALIAS_OF]->(m) } AS aliases

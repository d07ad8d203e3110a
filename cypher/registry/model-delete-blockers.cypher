// What stands in the way of deleting a model: production versions and aliases.
MATCH (m:RegisteredModel {name: $name})
SET m.updatedAt = datetime.realtime()
RETURN m.id AS id,
  COUNT { (v:ModelVersion)-[:VERSION_OF]->(m) WHERE v.stage = 'PRODUCTION' } AS productionVersions,
  COUNT { (a:Alias)-[:ALIAS_OF]->(m) } AS aliases,
  COUNT { (v:ModelVersion)-[:VERSION_OF]->(m) } AS versions

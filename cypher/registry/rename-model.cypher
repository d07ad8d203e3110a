// Renames a registered model. The name is copied onto its versions and
// aliases (they are looked up by it), so all three move in this statement.
// Past events keep the name they were written under. The name's uniqueness
// constraint refuses a taken new name.
MATCH (m:RegisteredModel {name: $name})
SET m.name = $newName, m.updatedAt = datetime.realtime()
WITH m
CALL (m) {
  OPTIONAL MATCH (v:ModelVersion)-[:VERSION_OF]->(m)
  SET v.modelName = $newName
  RETURN count(v) AS versions
}
CALL (m) {
  OPTIONAL MATCH (a:Alias)-[:ALIAS_OF]->(m)
  SET a.modelName = $newName
  RETURN count(a) AS aliases
}
RETURN m {.*} AS model, versions, aliases

// Sets a deployment's properties and replaces what it serves: one SERVES edge
// per model entry (the version whose checksum the deployer verified; an entry
// that follows an alias keeps the alias name in followsAlias) and per pinned
// provider model. What it serves at any instant is derived from the event log
// (deployment-record-at, serving-at), so the edges are the current record only.
MATCH (d:Deployment {name: $name})
SET d.environment = $environment, d.endpoint = $endpoint, d.updatedAt = datetime.realtime(),
    d.requireAttestation = $requireAttestation, d.revision = coalesce(d.revision, 0) + 1
WITH d
CALL (d) {
  OPTIONAL MATCH (d)-[old:SERVES]->()
  DELETE old
}
CALL (d) {
  UNWIND $serving AS s
  MATCH (v:ModelVersion {id: s.versionId})
  CREATE (d)-[:SERVES {position: s.position, weight: toFloat(s.weight), followsAlias: s.alias, checksum: s.checksum}]->(v)
  RETURN count(*) AS models
}
CALL (d) {
  UNWIND $providers AS p
  MATCH (pm:ProviderModel {id: p.id})
  CREATE (d)-[:SERVES {position: p.position, weight: toFloat(p.weight)}]->(pm)
  RETURN count(*) AS providers
}
RETURN d {.*} AS deployment, models, providers

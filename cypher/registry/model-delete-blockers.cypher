// What stands in the way of deleting a model: each version's own protections
// (CANARY/PRODUCTION, kept after PRODUCTION, predictions served, versions of
// other models derived from it) and its aliases. Takes the model's stage lock
// so a concurrent transition or alias move queues behind the deletion.
MATCH (m:RegisteredModel {name: $name})
SET m.updatedAt = datetime.realtime(), m.stageLock = coalesce(m.stageLock, 0) + 1
RETURN m.id AS id,
  COUNT { (v:ModelVersion)-[:VERSION_OF]->(m) WHERE v.stage IN ['CANARY', 'PRODUCTION'] } AS governedVersions,
  COLLECT {
    MATCH (v:ModelVersion)-[:VERSION_OF]->(m) WHERE v.everProduction AND v.stage <> 'PRODUCTION'
    RETURN v {.version, leftProductionAt: coalesce(v.leftProductionAt, v.updatedAt)} ORDER BY v.version
  } AS retained,
  COUNT { MATCH (:Prediction)-[:MADE_BY]->(v:ModelVersion)-[:VERSION_OF]->(m) } AS predictions,
  COUNT {
    MATCH (c:ModelVersion)-[:FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM]->(v:ModelVersion)-[:VERSION_OF]->(m)
    WHERE NOT (c)-[:VERSION_OF]->(m)
  } AS children,
  COUNT { (a:Alias)-[:ALIAS_OF]->(m) } AS aliases,
  COUNT { (v:ModelVersion)-[:VERSION_OF]->(m) } AS versions

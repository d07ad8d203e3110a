// What stands in the way of deleting one version: versions derived from it,
// predictions served by it, when it left PRODUCTION (retention), and the
// aliases that point at it with the model's protected aliases (null = the
// defaults). Takes the model's stage lock so a concurrent transition or alias
// move queues behind the deletion.
MATCH (v:ModelVersion {id: $versionId})-[:VERSION_OF]->(m:RegisteredModel)
SET m.stageLock = coalesce(m.stageLock, 0) + 1
RETURN
  COUNT { MATCH (:ModelVersion)-[:FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM]->(v) } AS children,
  COUNT { MATCH (p)-[:MADE_BY]->(v) } AS predictions,
  COLLECT { MATCH (a:Alias)-[:POINTS_TO]->(v) RETURN a.name ORDER BY a.name } AS aliases,
  m.protectedAliases AS protectedAliases,
  coalesce(v.leftProductionAt, v.updatedAt) AS leftProductionAt

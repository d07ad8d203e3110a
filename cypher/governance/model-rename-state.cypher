// What makes renaming a model a governed change: its owners, protected
// aliases that exist, versions in CANARY or PRODUCTION, and pending (not yet
// expired) promotion requests for its versions.
MATCH (m:RegisteredModel {id: $modelId})
RETURN coalesce(m.owners, []) AS owners,
  m.protectedAliases AS protectedAliases,
  COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(m) RETURN a.name } AS aliases,
  COUNT { MATCH (v:ModelVersion)-[:VERSION_OF]->(m) WHERE v.stage IN ['CANARY', 'PRODUCTION'] } AS governedVersions,
  COUNT {
    MATCH (r:PromotionRequest {status: 'PENDING'})-[:FOR_VERSION]->(:ModelVersion)-[:VERSION_OF]->(m)
    WHERE r.expiresAt > datetime.realtime()
  } AS pendingRequests

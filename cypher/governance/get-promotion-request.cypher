// A request with its approvals (oldest first), rejection, the signed attestation
// recording it (two-person promotions, once carried out), and the owners and
// protected aliases (null = the defaults) of the model its version node
// belongs to now (never of whatever model has the name it was requested under).
MATCH (r:PromotionRequest {id: $id})
OPTIONAL MATCH (r)-[:FOR_VERSION]->(v:ModelVersion)-[:VERSION_OF]->(m:RegisteredModel)
OPTIONAL MATCH (a:Approval)-[:APPROVES]->(r)
WITH r, v, m, a
ORDER BY a.at, a.approver
WITH r, v, m, [x IN collect(a) | x {.approver, .role, .asOwner, .comment, .at}] AS approvals
OPTIONAL MATCH (r)-[:ATTESTED_BY]->(att:Attestation)
RETURN r {.id, .targetStage, .targetAlias, .rule, .status, .requestedBy, .requestedAt,
          .expiresAt, .evidence, .decidedAt, .decidedBy, .reason,
          versionId: v.id, modelName: coalesce(m.name, r.modelName), version: coalesce(v.version, r.version)} AS request,
       approvals,
       att.envelope AS attestation,
       coalesce(m.owners, []) AS owners,
       m.protectedAliases AS protectedAliases,
       datetime.realtime() > r.expiresAt AS expired

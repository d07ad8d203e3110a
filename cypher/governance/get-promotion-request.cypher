// A request with its approvals (oldest first), rejection, the signed attestation
// recording it (two-person promotions, once carried out), and the model's
// owners and protected aliases (null = the defaults).
MATCH (r:PromotionRequest {id: $id})
OPTIONAL MATCH (m:RegisteredModel {name: r.modelName})
OPTIONAL MATCH (a:Approval)-[:APPROVES]->(r)
WITH r, m, a
ORDER BY a.at, a.approver
WITH r, m, [x IN collect(a) | x {.approver, .role, .asOwner, .comment, .at}] AS approvals
OPTIONAL MATCH (r)-[:ATTESTED_BY]->(att:Attestation)
RETURN r {.id, .modelName, .version, .targetStage, .targetAlias, .rule, .status, .requestedBy, .requestedAt,
          .expiresAt, .evidence, .decidedAt, .decidedBy, .reason} AS request,
       approvals,
       att.envelope AS attestation,
       coalesce(m.owners, []) AS owners,
       m.protectedAliases AS protectedAliases,
       datetime.realtime() > r.expiresAt AS expired

// Promotion requests by id ($keys), one row per key in key order (request null
// when there is none): each with its approvals (oldest first), the signed
// attestation recording it (two-person promotions, once carried out), the
// owners and protected aliases (null = the defaults) of the model its version
// node belongs to now (never of whatever model has the name it was requested
// under), and the version its target points to now: the alias's version, or
// the newest other version of the model in the target stage.
UNWIND $keys AS key
OPTIONAL MATCH (r:PromotionRequest {id: key})
OPTIONAL MATCH (r)-[:FOR_VERSION]->(v:ModelVersion)-[:VERSION_OF]->(m:RegisteredModel)
OPTIONAL MATCH (r)-[:ATTESTED_BY]->(att:Attestation)
RETURN key,
       CASE WHEN r IS NULL THEN null ELSE
         r {.id, .targetStage, .targetAlias, .rule, .status, .requestedBy, .requestedAt,
            .expiresAt, .evidence, .decidedAt, .decidedBy, .reason,
            versionId: v.id, modelName: coalesce(m.name, r.modelName), version: coalesce(v.version, r.version)}
       END AS request,
       COLLECT {
         MATCH (a:Approval)-[:APPROVES]->(r)
         WITH a ORDER BY a.at, a.approver
         RETURN a {.approver, .role, .asOwner, .comment, .at}
       } AS approvals,
       att.envelope AS attestation,
       coalesce(m.owners, []) AS owners,
       m.protectedAliases AS protectedAliases,
       datetime.realtime() > r.expiresAt AS expired,
       CASE WHEN r.targetAlias IS NOT NULL
         THEN COLLECT { MATCH (m)<-[:ALIAS_OF]-(al:Alias)-[:POINTS_TO]->(c:ModelVersion) WHERE al.name = r.targetAlias RETURN c.id }[0]
         ELSE COLLECT { MATCH (c:ModelVersion)-[:VERSION_OF]->(m) WHERE c.stage = r.targetStage AND c <> v RETURN c.id ORDER BY c.version DESC LIMIT 1 }[0]
       END AS currentTargetId

// Cancels the pending (not yet expired) promotion requests of a model's
// versions, or of one of them ($versionId): their model is being renamed or
// deleted, so what the approvers were asked to approve no longer stands.
MATCH (m:RegisteredModel {id: $modelId})<-[:VERSION_OF]-(v:ModelVersion)<-[:FOR_VERSION]-(r:PromotionRequest {status: 'PENDING'})
WHERE ($versionId IS NULL OR v.id = $versionId) AND r.expiresAt > datetime.realtime()
SET r.status = 'CANCELLED', r.decidedAt = datetime.realtime(), r.decidedBy = $actor, r.reason = $reason
RETURN r.id AS id, r.requestedBy AS requestedBy, v.version AS version, r.targetStage AS targetStage, r.targetAlias AS targetAlias,
       coalesce(m.owners, []) AS owners
ORDER BY r.requestedAt, r.id

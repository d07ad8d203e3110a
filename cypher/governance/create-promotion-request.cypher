// A request bound to the version node (FOR_VERSION): approvals carry it out on
// that node, never on whatever a name resolves to later. modelName and
// version are kept as they were when requested, for the record.
MATCH (v:ModelVersion {id: $versionId})
CREATE (r:PromotionRequest {
  id: $id, modelName: v.modelName, version: v.version,
  targetStage: $targetStage, targetAlias: $targetAlias, rule: $rule,
  status: 'PENDING', requestedBy: $actor, requestedAt: datetime.realtime(),
  expiresAt: datetime.realtime() + duration({hours: $expiryHours}),
  evidence: $evidence
})-[:FOR_VERSION]->(v)
RETURN r.id AS id

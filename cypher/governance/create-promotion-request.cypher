MATCH (v:ModelVersion {modelName: $modelName, version: $version})
CREATE (r:PromotionRequest {
  id: $id, modelName: $modelName, version: $version,
  targetStage: $targetStage, targetAlias: $targetAlias, rule: $rule,
  status: 'PENDING', requestedBy: $actor, requestedAt: datetime.realtime(),
  expiresAt: datetime.realtime() + duration({hours: $expiryHours}),
  evidence: $evidence
})-[:FOR_VERSION]->(v)
RETURN r.id AS id

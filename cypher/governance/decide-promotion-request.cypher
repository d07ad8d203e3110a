// Closes a request: APPROVED (carried out), REJECTED (with the reason).
MATCH (r:PromotionRequest {id: $id})
SET r.status = $status, r.decidedAt = datetime.realtime(), r.decidedBy = $actor, r.reason = $reason
RETURN r.id AS id

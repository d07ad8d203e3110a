// The approvals of a version's carried-out promotion requests (oldest request
// first), with the request each belongs to: what an attestation's predicate
// records, and whose keys co-sign it (TWO_PERSON requests).
MATCH (r:PromotionRequest {status: 'APPROVED'})-[:FOR_VERSION]->(:ModelVersion {id: $versionId})
MATCH (a:Approval)-[:APPROVES]->(r)
RETURN a.approver AS approver, a.role AS role, a.asOwner AS asOwner, a.comment AS comment, a.at AS at,
       r.id AS requestId, r.rule AS rule, r.targetStage AS targetStage, r.targetAlias AS targetAlias
ORDER BY r.decidedAt, r.id, a.at, a.approver

// Takes the request's write lock first, so concurrent approvals of one request
// run one after another: each then reads the approvals the previous one committed.
MATCH (r:PromotionRequest {id: $id})
SET r.lockCount = coalesce(r.lockCount, 0) + 1
RETURN r.id AS id

// Promotion requests and their approvals. One approval per (request, approver):
// the constraint refuses a concurrent second approval by the same principal.
CREATE CONSTRAINT promotion_request_id IF NOT EXISTS FOR (r:PromotionRequest) REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT approval_key IF NOT EXISTS FOR (a:Approval) REQUIRE a.key IS UNIQUE;
CREATE INDEX promotion_request_model IF NOT EXISTS FOR (r:PromotionRequest) ON (r.modelName, r.status)

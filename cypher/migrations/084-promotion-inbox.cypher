// The promotions inbox: requests listed oldest first by status, sought through
// (status, requestedAt) rather than read whole.
CREATE INDEX promotion_request_status_time IF NOT EXISTS FOR (r:PromotionRequest) ON (r.status, r.requestedAt)

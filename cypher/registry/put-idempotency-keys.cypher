// Records the results of creates under their principals' idempotency keys
// (unique: a concurrent duplicate fails here and its whole transaction rolls back).
UNWIND $keys AS x
CREATE (:IdempotencyKey {key: x.key, principal: x.principal, inputHash: x.inputHash, resultId: x.resultId, createdAt: datetime.realtime()})

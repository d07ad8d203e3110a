// Records the result of a create under its principal's idempotency key (unique:
// a concurrent duplicate fails here and its whole transaction rolls back).
CREATE (k:IdempotencyKey {key: $key, principal: $principal, inputHash: $inputHash, resultId: $resultId, createdAt: datetime.realtime()})

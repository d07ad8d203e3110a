// Creates already done under these (scoped) idempotency keys: one row per key
// that was used.
UNWIND $keys AS key
MATCH (k:IdempotencyKey {key: key})
RETURN key, k.inputHash AS inputHash, k.resultId AS resultId

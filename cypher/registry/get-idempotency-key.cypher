// A create already done under this idempotency key, if any.
MATCH (k:IdempotencyKey {key: $key})
RETURN k.inputHash AS inputHash, k.resultId AS resultId

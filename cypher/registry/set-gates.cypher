// Replaces a model's STAGING gate thresholds (JSON text); returns the previous ones.
MATCH (m:RegisteredModel {name: $modelName})
WITH m, m.gates AS before
SET m.gates = $gates, m.updatedAt = datetime.realtime()
RETURN before, m {.*} AS model

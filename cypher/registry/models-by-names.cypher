// Batch: registered models by name, one row per key (DataLoader).
UNWIND $keys AS key
OPTIONAL MATCH (m:RegisteredModel {name: key})
RETURN key, m {.*} AS model

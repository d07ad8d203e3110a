// Replaces the list of a model's protected aliases; returns the previous list.
MATCH (m:RegisteredModel {name: $modelName})
WITH m, m.protectedAliases AS before
SET m.protectedAliases = $aliases, m.updatedAt = datetime.realtime()
RETURN before, m {.*} AS model

MATCH (m:RegisteredModel {name: $modelName})
WITH m, m.protectedAliases AS before
SET m.protectedAliases = $aliases, m.updatedAt = datetime.realtime()
RETURN m.name AS name, before, m.protectedAliases AS protectedAliases

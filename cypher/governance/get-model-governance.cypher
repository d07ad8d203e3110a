// Owners and protected aliases (null = the defaults) of one model.
MATCH (m:RegisteredModel {name: $modelName})
RETURN m.name AS name, coalesce(m.owners, []) AS owners, m.protectedAliases AS protectedAliases

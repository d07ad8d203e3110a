MATCH (m:RegisteredModel {name: $modelName})
WITH m, coalesce(m.owners, []) AS before
SET m.owners = $owners, m.updatedAt = datetime.realtime()
RETURN m.name AS name, before, m.owners AS owners

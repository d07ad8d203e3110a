// Marks a provider version as deprecated by its provider (first date kept).
MATCH (p:ProviderModel {id: $id})
WITH p, p.deprecatedAt AS before
SET p.deprecatedAt = coalesce(p.deprecatedAt, datetime($at)), p.deprecationNote = coalesce($note, p.deprecationNote)
RETURN p {.*} AS providerModel, before

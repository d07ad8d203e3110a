// A third-party or foundation model pinned by provider and provider version:
// registering the same pin again returns the existing node.
MERGE (p:ProviderModel {provider: $provider, name: $name, providerVersion: $providerVersion})
  ON CREATE SET p.id = randomUUID(), p.uri = $uri, p.createdAt = datetime.realtime(), p.createdBy = $actor, p.isNew = true
WITH p, coalesce(p.isNew, false) AS created
REMOVE p.isNew
RETURN p {.*} AS providerModel, created

// The change log of one provider model: every pinned version, newest change
// first (versions never given a change date last, by registration).
MATCH (p:ProviderModel {provider: $provider, name: $name})
RETURN p {.*} AS providerModel
ORDER BY p.changeDate IS NULL, p.changeDate DESC, p.createdAt DESC
LIMIT 1000

// A page of the change log of one provider model: its pinned versions, newest
// change first (versions never given a change date last), then newest
// registration: $limit after the version whose id is $after (keyset on that
// order). `known` is false when $after names no version of this model.
OPTIONAL MATCH (c:ProviderModel {id: $after, provider: $provider, name: $name})
CALL (c) {
  MATCH (p:ProviderModel {provider: $provider, name: $name})
  WITH c, p, [coalesce(p.changeDate, datetime('0001-01-01T00:00:00Z')), p.createdAt, p.id] AS key
  WHERE c IS NULL OR key < [coalesce(c.changeDate, datetime('0001-01-01T00:00:00Z')), c.createdAt, c.id]
  WITH p, key ORDER BY key DESC LIMIT $limit
  RETURN collect(p {.*}) AS versions
}
RETURN $after IS NULL OR c IS NOT NULL AS known, versions

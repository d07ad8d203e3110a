// A page of provider models by id, or by any of provider / name /
// providerVersion, ordered by those three (a pin, unique): $limit after the
// provider model whose id is $after (keyset). `known` is false when $after
// names no provider model.
OPTIONAL MATCH (c:ProviderModel {id: $after})
CALL (c) {
  MATCH (p:ProviderModel)
  WHERE ($id IS NULL OR p.id = $id)
    AND ($provider IS NULL OR p.provider = $provider)
    AND ($name IS NULL OR p.name = $name)
    AND ($providerVersion IS NULL OR p.providerVersion = $providerVersion)
    AND (c IS NULL OR [p.provider, p.name, p.providerVersion, p.id] > [c.provider, c.name, c.providerVersion, c.id])
  WITH p ORDER BY p.provider, p.name, p.providerVersion, p.id LIMIT $limit
  RETURN collect(p {.*}) AS providerModels
}
RETURN $after IS NULL OR c IS NOT NULL AS known, providerModels

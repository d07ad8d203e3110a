// Provider models by id, or by any of provider / name / providerVersion.
MATCH (p:ProviderModel)
WHERE ($id IS NULL OR p.id = $id)
  AND ($provider IS NULL OR p.provider = $provider)
  AND ($name IS NULL OR p.name = $name)
  AND ($providerVersion IS NULL OR p.providerVersion = $providerVersion)
RETURN p {.*} AS providerModel
ORDER BY p.provider, p.name, p.providerVersion
LIMIT 500

// A page of the deployments whose current record still pins a provider
// version that its provider has deprecated, by deprecation date, deployment
// name and provider model id: $limit after the pin whose key is $after
// ([deprecatedAt, deploymentName, providerModelId], or null).
MATCH (d:Deployment)-[s:SERVES]->(p:ProviderModel)
WHERE p.deprecatedAt IS NOT NULL
  AND ($after IS NULL OR [p.deprecatedAt, d.name, p.id] > [datetime($after[0]), $after[1], $after[2]])
RETURN d {.*} AS deployment, p {.*} AS providerModel, s.weight AS weight
ORDER BY p.deprecatedAt, d.name, p.id
LIMIT $limit

// Deployments whose current record still pins a provider version that its
// provider has deprecated.
MATCH (d:Deployment)-[s:SERVES]->(p:ProviderModel)
WHERE p.deprecatedAt IS NOT NULL
RETURN d {.*} AS deployment, p {.*} AS providerModel, s.weight AS weight
ORDER BY p.deprecatedAt, d.name
LIMIT 1000

MATCH (m:MlflowLoggedModel) WHERE m.experimentId IN $experimentIds
RETURN m {.*} AS model
ORDER BY m.creationTime DESC, m.id
LIMIT $limit

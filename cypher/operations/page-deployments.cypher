// One page of deployment names in name order after $after ('' for the first
// page), of deployments that existed at $at, and how many existed then.
// Sought through the unique index on name.
CALL () {
  MATCH (d:Deployment)
  WHERE d.name > $after AND d.createdAt <= datetime($at)
  WITH d ORDER BY d.name
  LIMIT $limit
  RETURN collect(d.name) AS names
}
CALL () {
  MATCH (d:Deployment)
  WHERE d.createdAt <= datetime($at)
  RETURN count(d) AS total
}
RETURN names, total

// Models whose production version (the one `$alias` points to, or with no
// alias given, each version in stage PRODUCTION) was trained on data whose
// newest training dataset version was registered before $cutoff. Paged by
// (modelName, version). Cost: one seek per production version, then its run's
// USED edges.
CALL () {
  MATCH (a:Alias)-[:POINTS_TO]->(v:ModelVersion)
  WHERE $alias IS NOT NULL AND a.name = $alias
  RETURN v
  UNION
  MATCH (v:ModelVersion)
  WHERE $alias IS NULL AND v.stage = 'PRODUCTION'
  RETURN v
}
MATCH (v)-[:PRODUCED_BY]->(:Run)-[u:USED]->(dv:DatasetVersion)
WHERE u.role = 'train'
WITH v, max(dv.createdAt) AS newestDataAt, collect(DISTINCT dv.datasetName + '@' + dv.version) AS datasets
WHERE newestDataAt < datetime($cutoff)
WITH v, newestDataAt, datasets ORDER BY v.modelName, v.version
WITH collect({modelName: v.modelName, version: v.version, stage: v.stage, newestDataAt: newestDataAt, datasets: datasets}) AS found
RETURN size(found) AS total,
  [r IN found WHERE $afterName IS NULL OR r.modelName > $afterName
     OR (r.modelName = $afterName AND r.version > $afterVersion)][..$limit] AS rows

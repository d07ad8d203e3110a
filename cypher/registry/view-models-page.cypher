// The alias view's build (src/registry/view): one page of models in name
// order after $after ('' for the first page), each with its record, its
// aliases as [name, version number] and every version as [number, stage].
// Everything the view answers from is here except the records of the versions
// the pointers name, which registry/view-versions reads next.
MATCH (m:RegisteredModel)
WHERE m.name > $after
WITH m ORDER BY m.name LIMIT $limit
RETURN m {.*} AS model,
  COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(m) MATCH (a)-[:POINTS_TO]->(v:ModelVersion) RETURN [a.name, v.version] } AS aliases,
  COLLECT { MATCH (v:ModelVersion)-[:VERSION_OF]->(m) WHERE v.version IS NOT NULL RETURN [v.version, v.stage] } AS versions

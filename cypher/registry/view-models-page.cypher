// The alias view's build (src/registry/view): the models whose names are in
// [$from, $to), each with its id, its aliases as [name, version number] and
// every version as [number, stage]: the pointers. Records are read when first
// looked up (registry/models-by-names, registry/view-versions). Ranges come
// from registry/view-models-bounds, so several are read side by side.
MATCH (m:RegisteredModel)
WHERE m.name >= $from AND m.name < $to
RETURN m.id AS id, m.name AS name,
  COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(m) MATCH (a)-[:POINTS_TO]->(v:ModelVersion) RETURN [a.name, v.version] } AS aliases,
  COLLECT { MATCH (v:ModelVersion)-[:VERSION_OF]->(m) WHERE v.version IS NOT NULL RETURN [v.version, v.stage] } AS versions

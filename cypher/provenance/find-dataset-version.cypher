// A dataset version by (dataset, version) with what it was registered with —
// parents, raw sources, transform — so a repeated registration can be
// compared field by field: identical returns it, different is a conflict.
MATCH (dv:DatasetVersion {datasetName: $dataset, version: $version})
RETURN dv {.*} AS datasetVersion,
  COLLECT { MATCH (dv)-[:DERIVED_FROM]->(p:DatasetVersion) RETURN p.id AS id ORDER BY id } AS derivedFrom,
  COLLECT { MATCH (dv)-[:DERIVED_FROM]->(s:DataSource) RETURN s.uri AS uri ORDER BY uri } AS sources,
  COLLECT { MATCH (dv)-[r:DERIVED_FROM]->() RETURN DISTINCT r.transform AS transform } AS transforms

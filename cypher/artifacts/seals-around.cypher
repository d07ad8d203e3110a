// The seals at a path or above it ($paths: the path and its ancestors), with
// the versions registered from each, and whether any seal lies below it
// ($below: the path + '/').
RETURN
  COLLECT {
    MATCH (s:ArtifactSeal) WHERE s.path IN $paths
    RETURN s {.path, .dir, .checksum, .size, .legacy,
      versions: COLLECT { MATCH (v:ModelVersion)-[:STORED_AT]->(s) RETURN v.modelName + ' v' + toString(v.version) AS name ORDER BY name LIMIT 5 }}
  } AS over,
  COLLECT { MATCH (s:ArtifactSeal) WHERE s.path STARTS WITH $below RETURN s.path AS path LIMIT 1 } AS under

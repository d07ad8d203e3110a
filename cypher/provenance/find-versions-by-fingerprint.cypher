// A page of the model versions sharing a fingerprint (reproductions of one
// another), by model name and version: $limit after the version whose id is
// $after (keyset). `known` is false when $after names no such version.
// The hints keep both lookups seeks: when most versions have no fingerprint,
// the planner's estimates could otherwise pick a scan of an index.
OPTIONAL MATCH (c:ModelVersion {id: $after, fingerprint: $fingerprint})
USING INDEX c:ModelVersion(id)
CALL (c) {
  MATCH (v:ModelVersion {fingerprint: $fingerprint})
  USING INDEX v:ModelVersion(fingerprint)
  WHERE c IS NULL OR [v.modelName, v.version] > [c.modelName, c.version]
  WITH v ORDER BY v.modelName, v.version LIMIT $limit
  RETURN collect(v {.*, aliases: [(a:Alias)-[:POINTS_TO]->(v) | a.name]}) AS modelVersions
}
RETURN $after IS NULL OR c IS NOT NULL AS known, modelVersions

// A page of the revisions of one card section of a model (model-wide and per
// version), newest first (ties by id): $limit revisions after the revision
// whose id is $after (keyset on at, id). `known` is false when $after names
// no revision of this section.
OPTIONAL MATCH (c:ModelCardSection {id: $after, modelName: $modelName, key: $key})
CALL (c) {
  MATCH (s:ModelCardSection {modelName: $modelName, key: $key})
  WHERE c IS NULL OR s.at < c.at OR (s.at = c.at AND s.id < c.id)
  WITH s ORDER BY s.at DESC, s.id DESC LIMIT $limit
  OPTIONAL MATCH (v:ModelVersion {id: s.versionId})
  RETURN collect(s {.*, scope: CASE WHEN s.versionId IS NULL THEN 'MODEL' ELSE 'VERSION' END, version: v.version}) AS sections
}
RETURN $after IS NULL OR c IS NOT NULL AS known, sections

// Writes a new revision of a human-written card section, for a model (all its
// versions) or one version. The model's write lock (SET) queues concurrent
// writers, so revisions are numbered 1, 2, … with no gap; the previous
// revision stays, no longer current, linked by SUPERSEDES. A section with a
// new key is not written when its model or version already has $maxSections
// current sections (`full`).
MATCH (m:RegisteredModel {name: $modelName})
OPTIONAL MATCH (v:ModelVersion {id: $versionId})
WITH m, CASE WHEN $versionId IS NULL THEN m ELSE v END AS owner
SET m.cardLock = coalesce(m.cardLock, 0) + 1
WITH m, owner
OPTIONAL MATCH (prev:ModelCardSection {key: $key, current: true})-[:CARD_SECTION_OF]->(owner)
WITH owner, prev,
     prev IS NULL AND COUNT { (:ModelCardSection {current: true})-[:CARD_SECTION_OF]->(owner) } >= $maxSections AS full
OPTIONAL CALL (owner, prev, full) {
  WITH owner, prev WHERE NOT full
  SET prev.current = false
  CREATE (s:ModelCardSection {
    id: randomUUID(), modelName: $modelName, versionId: $versionId, key: $key, title: $title, body: $body,
    revision: coalesce(prev.revision, 0) + 1, current: true, at: datetime.realtime(), by: $actor
  })
  CREATE (s)-[:CARD_SECTION_OF]->(owner)
  FOREACH (p IN CASE WHEN prev IS NULL THEN [] ELSE [prev] END | CREATE (s)-[:SUPERSEDES]->(p))
  RETURN s
}
RETURN owner.id AS subjectId, s {.*, scope: CASE WHEN $versionId IS NULL THEN 'MODEL' ELSE 'VERSION' END} AS section,
       prev.revision AS previousRevision, full

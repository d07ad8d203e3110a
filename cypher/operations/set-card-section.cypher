// Writes a new revision of a human-written card section, for a model (all its
// versions) or one version. The model's write lock (SET) queues concurrent
// writers, so revisions are numbered 1, 2, … with no gap; the previous
// revision stays, no longer current, linked by SUPERSEDES.
MATCH (m:RegisteredModel {name: $modelName})
OPTIONAL MATCH (v:ModelVersion {id: $versionId})
WITH m, CASE WHEN $versionId IS NULL THEN m ELSE v END AS owner
SET m.cardLock = coalesce(m.cardLock, 0) + 1
WITH m, owner
OPTIONAL MATCH (prev:ModelCardSection {key: $key, current: true})-[:CARD_SECTION_OF]->(owner)
SET prev.current = false
CREATE (s:ModelCardSection {
  id: randomUUID(), modelName: $modelName, versionId: $versionId, key: $key, title: $title, body: $body,
  revision: coalesce(prev.revision, 0) + 1, current: true, at: datetime.realtime(), by: $actor
})
CREATE (s)-[:CARD_SECTION_OF]->(owner)
FOREACH (p IN CASE WHEN prev IS NULL THEN [] ELSE [prev] END | CREATE (s)-[:SUPERSEDES]->(p))
RETURN owner.id AS subjectId, s {.*, scope: CASE WHEN $versionId IS NULL THEN 'MODEL' ELSE 'VERSION' END} AS section, prev.revision AS previousRevision

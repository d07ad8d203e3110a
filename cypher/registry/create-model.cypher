// A new registered model with its initial tags. The name is unique by constraint.
// $protectedAliases: the server's PEDIGREE_PROTECTED_ALIASES, recorded on the model.
WITH datetime.realtime() AS now
CREATE (m:RegisteredModel {
  id: randomUUID(),
  name: $name,
  description: $description,
  owner: $owner,
  owners: CASE WHEN $owner IS NULL THEN [] ELSE [$owner] END,
  createdAt: now,
  updatedAt: now,
  versionCounter: 0,
  protectedAliases: $protectedAliases
})
FOREACH (t IN $tags | CREATE (m)-[:HAS_TAG]->(:Tag {key: t.key, value: t.value}))
RETURN m {.*} AS model

// A new registered model with its initial tags. The name is unique by constraint.
// $protectedAliases: the server's PEDIGREE_PROTECTED_ALIASES, recorded on the model.
// $kind: MODEL, or PROMPT (MLflow's prompt registry), which also labels it :Prompt.
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
  protectedAliases: $protectedAliases,
  kind: $kind
})
FOREACH (t IN $tags | CREATE (m)-[:HAS_TAG]->(:Tag {key: t.key, value: t.value}))
FOREACH (_ IN CASE WHEN $kind = 'PROMPT' THEN [1] ELSE [] END | SET m:Prompt)
RETURN m {.*} AS model

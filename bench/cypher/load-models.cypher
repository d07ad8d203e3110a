// Bench generator: registered models with their tags and final version
// counter and highest semver (shape of registry/create-model and create-version).
UNWIND $rows AS r
CREATE (m:RegisteredModel {
  id: r.id,
  name: r.name,
  description: r.description,
  owner: r.owner,
  owners: [r.owner],
  createdAt: datetime({epochMillis: r.atMs}),
  updatedAt: datetime({epochMillis: r.atMs}),
  versionCounter: r.versionCounter,
  semverMajor: r.major, semverMinor: r.minor, semverPatch: r.patch,
  protectedAliases: ['production', 'champion']
})
FOREACH (t IN r.tags | CREATE (m)-[:HAS_TAG]->(:Tag {key: t.key, value: t.value}))

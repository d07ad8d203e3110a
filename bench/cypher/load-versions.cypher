// Bench generator: model versions with tags, metrics and provenance edges
// (run, base model or provider model, distillation teachers), shaped as
// registry/create-versions writes them. Bases and teachers are always loaded
// in an earlier batch.
UNWIND $rows AS r
MATCH (m:RegisteredModel {name: r.modelName})
CREATE (v:ModelVersion {
  id: r.id,
  modelName: r.modelName,
  version: r.version,
  semver: r.semver,
  major: r.major, minor: r.minor, patch: r.patch,
  stage: r.stage,
  everProduction: r.everProduction,
  source: r.source,
  checksum: r.checksum,
  fingerprint: r.fingerprint,
  framework: r.framework,
  description: null,
  createdAt: datetime({epochMillis: r.atMs}),
  updatedAt: datetime({epochMillis: r.atMs}),
  createdBy: r.actor
})-[:VERSION_OF]->(m)
FOREACH (t IN r.tags | CREATE (v)-[:HAS_TAG]->(:Tag {key: t.key, value: t.value}))
FOREACH (x IN r.metrics | CREATE (v)-[:HAS_METRIC]->(:Metric {key: x.key, value: toFloat(x.value), segment: x.segment}))
WITH v, r
CALL (v, r) {
  MATCH (run:Run {id: r.runId})
  CREATE (v)-[:PRODUCED_BY]->(run)
}
CALL (v, r) {
  UNWIND r.baseVersionIds AS id
  MATCH (b:ModelVersion {id: id})
  CREATE (v)-[:FINE_TUNED_FROM]->(b)
}
CALL (v, r) {
  UNWIND r.baseProviderIds AS id
  MATCH (b:ProviderModel {id: id})
  CREATE (v)-[:FINE_TUNED_FROM]->(b)
}
CALL (v, r) {
  UNWIND r.teacherVersionIds AS id
  MATCH (t:ModelVersion {id: id})
  CREATE (v)-[:DISTILLED_FROM]->(t)
}

// Creates the version under the lock taken by lock-model-for-version, with its
// tags, metrics and provenance edges (run, base model, distillation teachers).
MATCH (m:RegisteredModel {name: $modelName})
WITH m, datetime.realtime() AS now
CREATE (v:ModelVersion {
  id: randomUUID(),
  modelName: $modelName,
  version: $version,
  semver: $semver,
  major: $major, minor: $minor, patch: $patch,
  stage: 'DEVELOPMENT',
  everProduction: false,
  source: $source,
  checksum: $checksum,
  fingerprint: $fingerprint,
  framework: $framework,
  description: $description,
  createdAt: now,
  updatedAt: now,
  createdBy: $actor
})-[:VERSION_OF]->(m)
SET m.semverMajor = $major, m.semverMinor = $minor, m.semverPatch = $patch, m.updatedAt = now
FOREACH (t IN $tags | CREATE (v)-[:HAS_TAG]->(:Tag {key: t.key, value: t.value}))
FOREACH (x IN $metrics | CREATE (v)-[:HAS_METRIC]->(:Metric {key: x.key, value: toFloat(x.value), segment: x.segment}))
WITH v
CALL {
  WITH v
  MATCH (r:Run {id: $runId})
  CREATE (v)-[:PRODUCED_BY]->(r)
}
CALL {
  WITH v
  UNWIND $baseVersionIds AS id
  MATCH (b:ModelVersion {id: id})
  CREATE (v)-[:FINE_TUNED_FROM]->(b)
}
CALL {
  WITH v
  UNWIND $baseProviderIds AS id
  MATCH (b:ProviderModel {id: id})
  CREATE (v)-[:FINE_TUNED_FROM]->(b)
}
CALL {
  WITH v
  UNWIND $teacherVersionIds AS id
  MATCH (t:ModelVersion {id: id})
  CREATE (v)-[:DISTILLED_FROM]->(t)
}
CALL {
  WITH v
  UNWIND $teacherProviderIds AS id
  MATCH (t:ProviderModel {id: id})
  CREATE (v)-[:DISTILLED_FROM]->(t)
}
RETURN v {.*} AS version

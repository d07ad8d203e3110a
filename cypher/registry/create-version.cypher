// Creates the next version of a model, with its tags, metrics and provenance
// edges (run, base model, distillation teachers, the prompt versions it uses,
// the version it was copied from). A prompt's version ($kind PROMPT) is also
// labelled :PromptVersion. Incrementing the model's
// versionCounter takes its write lock first, so concurrent registrations on
// one model queue here and numbers are 1..N with no gap. The semantic version
// bumps the highest one so far ($bump: MAJOR, MINOR or PATCH; 1.0.0 first).
// No row: no such model.
MATCH (m:RegisteredModel {name: $modelName})
SET m.versionCounter = m.versionCounter + 1
WITH m, datetime.realtime() AS now,
  CASE
    WHEN m.semverMajor IS NULL THEN [1, 0, 0]
    WHEN $bump = 'MAJOR' THEN [m.semverMajor + 1, 0, 0]
    WHEN $bump = 'MINOR' THEN [m.semverMajor, m.semverMinor + 1, 0]
    ELSE [m.semverMajor, m.semverMinor, m.semverPatch + 1]
  END AS sv
CREATE (v:ModelVersion {
  id: randomUUID(),
  modelName: $modelName,
  version: m.versionCounter,
  semver: toString(sv[0]) + '.' + toString(sv[1]) + '.' + toString(sv[2]),
  major: sv[0], minor: sv[1], patch: sv[2],
  stage: 'DEVELOPMENT',
  everProduction: false,
  source: $source,
  checksum: $checksum,
  fingerprint: $fingerprint,
  framework: $framework,
  description: $description,
  createdAt: now,
  updatedAt: now,
  createdBy: $actor,
  kind: $kind
})-[:VERSION_OF]->(m)
SET m.semverMajor = sv[0], m.semverMinor = sv[1], m.semverPatch = sv[2], m.updatedAt = now
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
CALL {
  WITH v
  UNWIND $promptVersionIds AS id
  MATCH (p:ModelVersion {id: id})
  MERGE (v)-[:USES_PROMPT]->(p)
}
CALL {
  WITH v
  MATCH (c:ModelVersion {id: $copiedFromId})
  CREATE (v)-[:COPIED_FROM]->(c)
}
FOREACH (_ IN CASE WHEN $kind = 'PROMPT' THEN [1] ELSE [] END | SET v:PromptVersion)
RETURN v {.*} AS version

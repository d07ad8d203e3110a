// Creates versions, with their tags, metrics and provenance edges (run, base
// model, distillation teachers, the prompt versions each uses, the version it
// was copied from; a prompt's version, kind PROMPT, is also labelled
// :PromptVersion): $models holds one entry per model (sorted by
// name, so concurrent batches lock models in one order), each with its items
// in arrival order. Raising the model's versionCounter by its item count
// takes the model's write lock first, so concurrent registrations on one
// model queue here and numbers are 1..N with no gap: the k-th item gets the
// counter's old value + k. Semantic versions chain in the same order, each
// bumping the one before ($bump: MAJOR, MINOR or PATCH; 1.0.0 first).
// One row per created item (`i`: its position in the caller's list); none for
// the items of a model that does not exist.
UNWIND $models AS spec
MATCH (m:RegisteredModel {name: spec.name})
SET m.versionCounter = m.versionCounter + size(spec.items)
WITH m, spec, m.versionCounter - size(spec.items) AS base, datetime.realtime() AS now,
  reduce(acc = CASE WHEN m.semverMajor IS NULL THEN [] ELSE [[m.semverMajor, m.semverMinor, m.semverPatch]] END, x IN spec.items |
    acc + [CASE
      WHEN size(acc) = 0 THEN [1, 0, 0]
      WHEN x.bump = 'MAJOR' THEN [acc[-1][0] + 1, 0, 0]
      WHEN x.bump = 'MINOR' THEN [acc[-1][0], acc[-1][1] + 1, 0]
      ELSE [acc[-1][0], acc[-1][1], acc[-1][2] + 1]
    END]) AS chain
WITH m, spec, base, now, CASE WHEN m.semverMajor IS NULL THEN chain ELSE tail(chain) END AS semvers
SET m.semverMajor = semvers[-1][0], m.semverMinor = semvers[-1][1], m.semverPatch = semvers[-1][2], m.updatedAt = now
WITH m, spec, base, now, semvers
UNWIND range(0, size(spec.items) - 1) AS k
WITH m, now, base + k + 1 AS number, semvers[k] AS sv, spec.items[k] AS x
CREATE (v:ModelVersion {
  id: randomUUID(),
  modelName: m.name,
  version: number,
  semver: toString(sv[0]) + '.' + toString(sv[1]) + '.' + toString(sv[2]),
  major: sv[0], minor: sv[1], patch: sv[2],
  stage: 'DEVELOPMENT',
  everProduction: false,
  source: x.source,
  checksum: x.checksum,
  fingerprint: x.fingerprint,
  framework: x.framework,
  description: x.description,
  createdAt: now,
  updatedAt: now,
  createdBy: x.actor,
  kind: x.kind
})-[:VERSION_OF]->(m)
FOREACH (t IN x.tags | CREATE (v)-[:HAS_TAG]->(:Tag {key: t.key, value: t.value}))
FOREACH (y IN x.metrics | CREATE (v)-[:HAS_METRIC]->(:Metric {key: y.key, value: toFloat(y.value), segment: y.segment}))
WITH m, v, x
CALL (v, x) {
  MATCH (r:Run {id: x.runId})
  CREATE (v)-[:PRODUCED_BY]->(r)
}
CALL (v, x) {
  UNWIND x.baseVersionIds AS id
  MATCH (b:ModelVersion {id: id})
  CREATE (v)-[:FINE_TUNED_FROM]->(b)
}
CALL (v, x) {
  UNWIND x.baseProviderIds AS id
  MATCH (b:ProviderModel {id: id})
  CREATE (v)-[:FINE_TUNED_FROM]->(b)
}
CALL (v, x) {
  UNWIND x.teacherVersionIds AS id
  MATCH (t:ModelVersion {id: id})
  CREATE (v)-[:DISTILLED_FROM]->(t)
}
CALL (v, x) {
  UNWIND x.teacherProviderIds AS id
  MATCH (t:ProviderModel {id: id})
  CREATE (v)-[:DISTILLED_FROM]->(t)
}
CALL (v, x) {
  UNWIND x.promptVersionIds AS id
  MATCH (p:ModelVersion {id: id})
  MERGE (v)-[:USES_PROMPT]->(p)
}
CALL (v, x) {
  MATCH (c:ModelVersion {id: x.copiedFromId})
  CREATE (v)-[:COPIED_FROM]->(c)
}
FOREACH (_ IN CASE WHEN x.kind = 'PROMPT' THEN [1] ELSE [] END | SET v:PromptVersion)
RETURN x.i AS i, v {.*} AS version, m {.*} AS model

// Records gate evidence on a version (human review, fairness check, SLO validation, sign-off).
MATCH (v:ModelVersion {id: $versionId})
CREATE (v)-[:HAS_EVIDENCE]->(e:Evidence {
  id: randomUUID(), kind: $kind, passed: $passed, uri: $uri, summary: $summary, by: $actor, at: datetime.realtime()
})
RETURN e {.*} AS evidence

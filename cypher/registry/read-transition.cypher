// Everything a stage gate looks at, read under the model's write lock (stage
// changes of one model queue here, so "another version is in PRODUCTION" holds
// until commit), including the model's archival checklist and the items
// completed for this version and for the other production versions.
MATCH (v:ModelVersion {id: $versionId})-[:VERSION_OF]->(m:RegisteredModel)
SET m.stageLock = coalesce(m.stageLock, 0) + 1
RETURN v {.*} AS version, m.gates AS gates,
  COLLECT { MATCH (v)-[:HAS_METRIC]->(x:Metric) RETURN x {.key, .value, .segment} } AS metrics,
  COLLECT { MATCH (v)-[:HAS_EVIDENCE]->(e:Evidence) RETURN e {.kind, .passed, .uri, .summary, .by, .at} ORDER BY e.at } AS evidence,
  COLLECT {
    MATCH (o:ModelVersion)-[:VERSION_OF]->(m) WHERE o.stage = 'PRODUCTION' AND o.id <> v.id
    RETURN o {.id, .version, completed: COLLECT { MATCH (o)<-[:CHECKLIST_ITEM_OF]-(c:ChecklistCompletion) RETURN c.item }}
  } AS otherProduction,
  COLLECT { UNWIND [v, m] AS x MATCH (x)<-[:CARD_SECTION_OF]-(s:ModelCardSection {current: true}) WHERE trim(s.body) <> '' RETURN DISTINCT s.key } AS cardSections,
  m.archivalChecklist AS checklist,
  COLLECT { MATCH (v)<-[:CHECKLIST_ITEM_OF]-(c:ChecklistCompletion) RETURN c.item } AS completed

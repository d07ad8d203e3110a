// Batch: everything a stage gate looks at, per version id ($keys), in key
// order (version null when there is none): metrics, evidence, the other
// versions in PRODUCTION with the archival checklist items completed for each,
// the written model-card sections, the model's gates and archival checklist,
// and the items completed for this version. A transition reads it after
// registry/lock-model-stages; a gate preview reads it without the lock.
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})-[:VERSION_OF]->(m:RegisteredModel)
RETURN key, CASE WHEN v IS NULL THEN null ELSE v {.*} END AS version, m.gates AS gates,
  COLLECT { MATCH (v)-[:HAS_METRIC]->(x:Metric) RETURN x {.key, .value, .segment} } AS metrics,
  COLLECT { MATCH (v)-[:HAS_EVIDENCE]->(e:Evidence) RETURN e {.kind, .passed, .uri, .summary, .by, .at} ORDER BY e.at } AS evidence,
  COLLECT {
    MATCH (o:ModelVersion)-[:VERSION_OF]->(m) WHERE o.stage = 'PRODUCTION' AND o.id <> v.id
    RETURN o {.id, .version, completed: COLLECT { MATCH (o)<-[:CHECKLIST_ITEM_OF]-(c:ChecklistCompletion) RETURN c.item }}
  } AS otherProduction,
  COLLECT { UNWIND [v, m] AS x MATCH (x)<-[:CARD_SECTION_OF]-(s:ModelCardSection {current: true}) WHERE trim(s.body) <> '' RETURN DISTINCT s.key } AS cardSections,
  m.archivalChecklist AS checklist,
  COLLECT { MATCH (v)<-[:CHECKLIST_ITEM_OF]-(c:ChecklistCompletion) RETURN c.item } AS completed

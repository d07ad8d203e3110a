// Creates or replaces a model's monitoring rule by name. The model's write
// lock (SET) serialises rule changes of one model, so the count of its rules
// is exact: a new rule beyond $maxRules is not created (`full`).
MATCH (m:RegisteredModel {name: $modelName})
SET m.ruleLock = coalesce(m.ruleLock, 0) + 1
WITH m,
     COUNT { (:MonitoringRule {modelName: $modelName}) } >= $maxRules
       AND NOT EXISTS { (:MonitoringRule {modelName: $modelName, name: $name}) } AS full
OPTIONAL CALL (m, full) {
  WITH m WHERE NOT full
  MERGE (r:MonitoringRule {modelName: $modelName, name: $name})
    ON CREATE SET r.id = randomUUID(), r.createdAt = datetime.realtime()
  SET r.metric = $metric, r.op = $op, r.threshold = toFloat($threshold), r.forMinutes = $forMinutes,
      r.action = $action, r.alias = $alias, r.updatedAt = datetime.realtime(), r.updatedBy = $actor
  MERGE (r)-[:RULE_OF]->(m)
  RETURN r {.*} AS rule
}
RETURN rule, m.id AS modelId, full

// For each rule of the model on one of the ingested metrics: the series'
// samples from newest back (at most 5,000) and the rule's open alert for this
// deployment, if any. The rule evaluation itself is pure code.
MATCH (r:MonitoringRule {modelName: $modelName})
WHERE r.metric IN $metrics
RETURN r {.*} AS rule,
  COLLECT {
    MATCH (s:HealthSample {deployment: $deployment, modelName: $modelName, version: $version, metric: r.metric})
    WHERE s.at IS NOT NULL
    RETURN s {.value, .at} ORDER BY s.at DESC LIMIT 5000
  } AS samples,
  COLLECT { MATCH (a:Alert {ruleId: r.id, deployment: $deployment, state: 'OPEN'}) RETURN a {.*} LIMIT 1 }[0] AS openAlert
ORDER BY r.name

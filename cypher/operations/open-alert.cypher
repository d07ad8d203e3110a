// Opens an alert for a rule on a deployment.
CREATE (a:Alert {id: randomUUID(), ruleId: $ruleId, ruleName: $ruleName, deployment: $deployment, modelName: $modelName,
  version: $version, metric: $metric, value: toFloat($value), state: 'OPEN', since: datetime($since), openedAt: datetime.realtime(),
  action: $action, rolledBackTo: $rolledBackTo})
RETURN a {.*} AS alert

// Closes an open alert once its series is back within the rule.
MATCH (a:Alert {id: $id, state: 'OPEN'})
SET a.state = 'RESOLVED', a.resolvedAt = datetime.realtime()
RETURN a {.*} AS alert

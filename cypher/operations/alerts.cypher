// Alerts, newest first, optionally of one deployment and/or state.
MATCH (a:Alert)
WHERE ($deployment IS NULL OR a.deployment = $deployment) AND ($state IS NULL OR a.state = $state)
RETURN a {.*} AS alert
ORDER BY a.openedAt DESC
LIMIT 500

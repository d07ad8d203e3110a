// A page of alerts, newest first (ties by id), optionally of one deployment
// and/or state: $limit alerts after the alert $after (keyset on openedAt, id,
// so alerts opened between pages cannot shift a page). `known` is false when
// $after names no alert.
OPTIONAL MATCH (c:Alert {id: $after})
CALL (c) {
  MATCH (a:Alert)
  WHERE ($deployment IS NULL OR a.deployment = $deployment) AND ($state IS NULL OR a.state = $state)
    AND (c IS NULL OR a.openedAt < c.openedAt OR (a.openedAt = c.openedAt AND a.id < c.id))
  WITH a ORDER BY a.openedAt DESC, a.id DESC LIMIT $limit
  RETURN collect(a {.*}) AS alerts
}
RETURN $after IS NULL OR c IS NOT NULL AS known, alerts

// One page of promotion request ids, oldest first (by requestedAt to the
// millisecond, then id), after the cursor ($afterMs, $afterId; -1 and '' for
// the first page). $statuses are stored statuses; a stored PENDING request is
// kept by $expiry: 'LIVE' (not expired), 'EXPIRED' or 'ANY'. With $modelName,
// only requests for versions of that model now (by the version node); without,
// every request, sought through (status, requestedAt).
CALL () {
  MATCH (r:PromotionRequest)
  WHERE $modelName IS NULL AND r.status IN $statuses AND r.requestedAt >= datetime({epochMillis: $afterMs})
  RETURN r
  UNION
  MATCH (:RegisteredModel {name: $modelName})<-[:VERSION_OF]-(:ModelVersion)<-[:FOR_VERSION]-(r:PromotionRequest)
  WHERE r.status IN $statuses AND r.requestedAt >= datetime({epochMillis: $afterMs})
  RETURN r
}
WITH r, r.requestedAt.epochMillis AS ms
WHERE (ms > $afterMs OR r.id > $afterId)
  AND (r.status <> 'PENDING' OR $expiry = 'ANY' OR ($expiry = 'LIVE') = (r.expiresAt > datetime.realtime()))
RETURN r.id AS id, ms
ORDER BY ms, id
LIMIT $limit

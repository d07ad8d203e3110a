// The versions of a model that were ever in PRODUCTION, newest first (a rollback drill checks each).
MATCH (:RegisteredModel {name: $modelName})<-[:VERSION_OF]-(v:ModelVersion)
WHERE v.everProduction
RETURN v {.*} AS version
ORDER BY v.version DESC
LIMIT $limit

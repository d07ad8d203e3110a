// One version node by id, with its model (whatever it is called now).
MATCH (v:ModelVersion {id: $versionId})-[:VERSION_OF]->(m:RegisteredModel)
RETURN v {.*} AS version, m {.*} AS model

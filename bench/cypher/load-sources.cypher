// Bench generator: raw data sources (shape of provenance/create-dataset-version).
UNWIND $rows AS r
CREATE (:DataSource {id: r.id, uri: r.uri, createdAt: datetime({epochMillis: r.atMs})})

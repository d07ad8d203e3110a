// Bench generator: datasets by name (shape of provenance/create-dataset-version).
UNWIND $rows AS r
CREATE (:Dataset {id: r.id, name: r.name, createdAt: datetime({epochMillis: r.atMs})})

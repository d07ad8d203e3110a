// Bench generator: deployments that predictions are served by (shape of provenance/merge-deployment).
UNWIND $rows AS r
CREATE (:Deployment {id: r.id, name: r.name, createdAt: datetime({epochMillis: r.atMs})})

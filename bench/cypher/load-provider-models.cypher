// Bench generator: pinned third-party base models (shape of provenance/merge-provider-model).
UNWIND $rows AS r
CREATE (:ProviderModel {
  id: r.id, provider: r.provider, name: r.name, providerVersion: r.providerVersion,
  uri: r.uri, createdAt: datetime({epochMillis: r.atMs}), createdBy: r.actor
})

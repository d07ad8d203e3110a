// Batch: provider models by id, with their qualification (null when unknown).
UNWIND $keys AS key
OPTIONAL MATCH (p:ProviderModel {id: key})
RETURN key, p {.*} AS providerModel

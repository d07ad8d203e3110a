// Which of these ids are provider models (for base-model and teacher references).
UNWIND $ids AS id
MATCH (p:ProviderModel {id: id})
RETURN p.id AS id

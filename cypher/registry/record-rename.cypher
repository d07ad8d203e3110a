// After a rename's MODEL_RENAMED event: the name the model had until that
// sequence, so history read by the model node (deployments following an
// alias) knows which events under which name were this model's.
MATCH (m:RegisteredModel {id: $modelId})
SET m.formerNames = coalesce(m.formerNames, []) + [$name],
    m.renamedAtSequence = coalesce(m.renamedAtSequence, []) + [toInteger($sequence)]
RETURN m.id AS id

// Idempotency keys are scoped to their principal (src/registry/idempotency.ts):
// stored as '<operation>:<principal>:<key>'. A key stored before was global
// ('<operation>:<key>'); each is given to the principal who created its result,
// so their retries still replay it and nobody else's do. A key whose result no
// longer exists (or was renamed away) has no owner to find: it is set aside
// under 'legacy:' and matches no one (a retry creates anew).
// Only keys without a principal are touched, so running this again changes nothing.
MATCH (k:IdempotencyKey)
WHERE k.principal IS NULL AND k.key STARTS WITH 'createModelVersion:'
OPTIONAL MATCH (v:ModelVersion {id: k.resultId})
WITH k, v.createdBy AS owner
SET k.key = CASE WHEN owner IS NULL OR owner CONTAINS ':' THEN 'legacy:' + k.key ELSE 'createModelVersion:' + owner + ':' + substring(k.key, size('createModelVersion:')) END,
    k.principal = CASE WHEN owner IS NULL OR owner CONTAINS ':' THEN '' ELSE owner END;

// A model's creator is the actor of its MODEL_CREATED event, found under the
// model's current name (a renamed model's key could only answer "renamed").
MATCH (k:IdempotencyKey)
WHERE k.principal IS NULL AND k.key STARTS WITH 'createRegisteredModel:'
OPTIONAL MATCH (m:RegisteredModel {id: k.resultId})
OPTIONAL MATCH (e:Event {modelName: m.name, type: 'MODEL_CREATED', subjectId: m.id})
WHERE e.sequence IS NOT NULL
WITH k, head(collect(e.actor)) AS owner
SET k.key = CASE WHEN owner IS NULL OR owner CONTAINS ':' THEN 'legacy:' + k.key ELSE 'createRegisteredModel:' + owner + ':' + substring(k.key, size('createRegisteredModel:')) END,
    k.principal = CASE WHEN owner IS NULL OR owner CONTAINS ':' THEN '' ELSE owner END;

// Anything else stored without a principal (no other operation used keys) is set aside too.
MATCH (k:IdempotencyKey)
WHERE k.principal IS NULL
SET k.key = 'legacy:' + k.key, k.principal = ''

// Description and owner; null leaves a field as it is. Returns before and after.
MATCH (m:RegisteredModel {name: $name})
WITH m, m {.description, .owner} AS before
SET m.description = CASE WHEN $setDescription THEN $description ELSE m.description END,
    m.owner = CASE WHEN $setOwner THEN $owner ELSE m.owner END,
    m.updatedAt = datetime.realtime()
RETURN before, m {.*} AS model

// One page of registered models by name, with the total for the same filter
// ($kind: MODEL or PROMPT; models recorded before kinds are MODEL).
WITH $nameContains AS nameContains, $owner AS owner, $tagKey AS tagKey, $tagValue AS tagValue
RETURN
  COUNT {
    MATCH (m:RegisteredModel)
    WHERE (nameContains IS NULL OR toLower(m.name) CONTAINS toLower(nameContains))
      AND (owner IS NULL OR m.owner = owner OR owner IN m.owners)
      AND (tagKey IS NULL OR EXISTS { (m)-[:HAS_TAG]->(t:Tag) WHERE t.key = tagKey AND (tagValue IS NULL OR t.value = tagValue) })
      AND ($kind IS NULL OR coalesce(m.kind, 'MODEL') = $kind)
  } AS total,
  COLLECT {
    MATCH (m:RegisteredModel)
    WHERE (nameContains IS NULL OR toLower(m.name) CONTAINS toLower(nameContains))
      AND (owner IS NULL OR m.owner = owner OR owner IN m.owners)
      AND (tagKey IS NULL OR EXISTS { (m)-[:HAS_TAG]->(t:Tag) WHERE t.key = tagKey AND (tagValue IS NULL OR t.value = tagValue) })
      AND ($kind IS NULL OR coalesce(m.kind, 'MODEL') = $kind)
      AND ($afterName IS NULL OR m.name > $afterName)
    WITH m ORDER BY m.name LIMIT $limit
    RETURN m {.*}
  } AS models

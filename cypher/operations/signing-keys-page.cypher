// A page of the signing keys for the API: Pedigree's own first (active first,
// then newest), then the approvers' keys by principal, as signing-keys.cypher
// orders them: $limit after the key whose keyid is $after (keyset on that
// order). `known` is false when $after names no key.
OPTIONAL MATCH (c:SigningKey {keyid: $after})
CALL (c) {
  MATCH (k:SigningKey)
  WITH c, k, [CASE WHEN k.principal IS NULL THEN 0 ELSE 1 END, coalesce(k.principal, ''), CASE WHEN k.active THEN 0 ELSE 1 END, -k.createdAt.epochMillis, k.keyid] AS key
  WHERE c IS NULL OR key > [CASE WHEN c.principal IS NULL THEN 0 ELSE 1 END, coalesce(c.principal, ''), CASE WHEN c.active THEN 0 ELSE 1 END, -c.createdAt.epochMillis, c.keyid]
  WITH k, key ORDER BY key LIMIT $limit
  RETURN collect(k {.*}) AS keys
}
RETURN $after IS NULL OR c IS NOT NULL AS known, keys

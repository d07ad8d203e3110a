// Creates a key ring's active key unless it has one. Rings: 'default' holds
// Pedigree's own key; 'principal:<name>' holds the key Pedigree keeps for an
// approver ($principal), made on their first approval. The SET on the ring
// takes its write lock, so two transactions generating at once queue here and
// the second finds the first's key (and discards its own).
MERGE (r:SigningKeyRing {name: $ring})
ON CREATE SET r.principal = $principal
SET r.lock = coalesce(r.lock, 0) + 1
WITH r
OPTIONAL MATCH (r)-[:HAS_KEY]->(existing:SigningKey {active: true})
CALL (r, existing) {
  WITH r, existing WHERE existing IS NULL
  CREATE (r)-[:HAS_KEY]->(k:SigningKey {
    keyid: $keyid, algorithm: 'Ed25519', publicKey: $publicKey, storage: $storage,
    sealedPrivateKey: $sealedPrivateKey, privateKeyFile: $privateKeyFile,
    principal: $principal, active: true, createdAt: datetime.realtime()
  })
  RETURN k
  UNION
  WITH existing WHERE existing IS NOT NULL
  RETURN existing AS k
}
RETURN k {.*} AS key, existing IS NULL AS created

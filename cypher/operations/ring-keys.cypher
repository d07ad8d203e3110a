// The active key of each named ring ('default' = Pedigree's own,
// 'principal:<name>' = an approver's), private half's sealed form or file
// name included, for signing. A ring without a key gives a null key.
UNWIND $rings AS ring
OPTIONAL MATCH (:SigningKeyRing {name: ring})-[:HAS_KEY]->(k:SigningKey {active: true})
RETURN ring, k {.*} AS key

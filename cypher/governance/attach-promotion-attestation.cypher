// Stores the signed attestation that records a carried-out two-person
// promotion, linked to its request and to the version it attests. Written in
// the transaction that carries the promotion out, so it exists exactly when
// the promotion does.
MATCH (r:PromotionRequest {id: $requestId})-[:FOR_VERSION]->(v:ModelVersion)
CREATE (a:Attestation {
  id: $id, requestId: $requestId, envelope: $envelope, keyids: $keyids,
  subjectDigest: $subjectDigest, createdAt: datetime.realtime()
})
CREATE (r)-[:ATTESTED_BY]->(a), (a)-[:ATTESTS]->(v)
RETURN a.id AS id

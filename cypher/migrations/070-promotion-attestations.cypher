// Signed promotion records: one Attestation per carried-out two-person
// promotion request (the second constraint backs "one each"). Approver keys
// need nothing new: their rings ('principal:<name>') are unique by name (040).
CREATE CONSTRAINT attestation_id IF NOT EXISTS FOR (a:Attestation) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT attestation_request IF NOT EXISTS FOR (a:Attestation) REQUIRE a.requestId IS UNIQUE

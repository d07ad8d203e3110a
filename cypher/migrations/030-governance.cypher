// Governance: principals and their API tokens (stored as SHA-256 hashes only).
CREATE CONSTRAINT principal_name IF NOT EXISTS FOR (p:Principal) REQUIRE p.name IS UNIQUE;
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.hash IS UNIQUE;
CREATE INDEX principal_role IF NOT EXISTS FOR (p:Principal) ON (p.role)

// Registry: models, versions, aliases, tags, metrics, idempotency keys.
CREATE CONSTRAINT registered_model_id IF NOT EXISTS FOR (m:RegisteredModel) REQUIRE m.id IS UNIQUE;
CREATE CONSTRAINT registered_model_name IF NOT EXISTS FOR (m:RegisteredModel) REQUIRE m.name IS UNIQUE;
CREATE CONSTRAINT model_version_id IF NOT EXISTS FOR (v:ModelVersion) REQUIRE v.id IS UNIQUE;
// One version number per model: the guard behind the per-model counter.
CREATE CONSTRAINT model_version_number IF NOT EXISTS FOR (v:ModelVersion) REQUIRE (v.modelName, v.version) IS UNIQUE;
CREATE CONSTRAINT alias_name IF NOT EXISTS FOR (a:Alias) REQUIRE (a.modelName, a.name) IS UNIQUE;
CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (k:IdempotencyKey) REQUIRE k.key IS UNIQUE;
CREATE INDEX model_version_stage IF NOT EXISTS FOR (v:ModelVersion) ON (v.stage);
CREATE INDEX model_version_created IF NOT EXISTS FOR (v:ModelVersion) ON (v.createdAt);
CREATE INDEX model_version_fingerprint IF NOT EXISTS FOR (v:ModelVersion) ON (v.fingerprint);
CREATE INDEX registered_model_owner IF NOT EXISTS FOR (m:RegisteredModel) ON (m.owner);
CREATE INDEX tag_key_value IF NOT EXISTS FOR (t:Tag) ON (t.key, t.value);
CREATE INDEX metric_key_value IF NOT EXISTS FOR (x:Metric) ON (x.key, x.value)

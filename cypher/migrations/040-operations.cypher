// Operations: deployments (extending provenance's Deployment node), model-card
// sections, signing keys, provider version change log.
// deploymentAt and the history of a deployment read its events by subjectId.
CREATE INDEX event_subject IF NOT EXISTS FOR (e:Event) ON (e.subjectId, e.sequence);
CREATE INDEX deployment_environment IF NOT EXISTS FOR (d:Deployment) ON (d.environment);
CREATE CONSTRAINT model_card_section_id IF NOT EXISTS FOR (s:ModelCardSection) REQUIRE s.id IS UNIQUE;
CREATE INDEX model_card_section_key IF NOT EXISTS FOR (s:ModelCardSection) ON (s.modelName, s.key);
CREATE CONSTRAINT signing_key_id IF NOT EXISTS FOR (k:SigningKey) REQUIRE k.keyid IS UNIQUE;
CREATE CONSTRAINT signing_keyring_name IF NOT EXISTS FOR (r:SigningKeyRing) REQUIRE r.name IS UNIQUE;
CREATE INDEX provider_model_status IF NOT EXISTS FOR (p:ProviderModel) ON (p.qualificationStatus);
CREATE INDEX health_sample_series IF NOT EXISTS FOR (s:HealthSample) ON (s.deployment, s.modelName, s.version, s.metric, s.at);
CREATE CONSTRAINT monitoring_rule_id IF NOT EXISTS FOR (r:MonitoringRule) REQUIRE r.id IS UNIQUE;
CREATE INDEX monitoring_rule_model IF NOT EXISTS FOR (r:MonitoringRule) ON (r.modelName);
CREATE CONSTRAINT alert_id IF NOT EXISTS FOR (a:Alert) REQUIRE a.id IS UNIQUE;
CREATE INDEX alert_open IF NOT EXISTS FOR (a:Alert) ON (a.ruleId, a.deployment, a.state)

// Retention (src/operations/retention.service.ts) removes health samples and
// finished webhook deliveries older than their configured days: these indexes
// let it range-seek by age instead of scanning every sample or delivery.
CREATE INDEX health_sample_at IF NOT EXISTS FOR (s:HealthSample) ON (s.at);
CREATE INDEX webhook_delivery_created IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.createdAt)

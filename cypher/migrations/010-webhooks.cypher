// Webhooks and their durable deliveries; the dispatcher's position in the event log.
CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (w:Webhook) REQUIRE w.id IS UNIQUE;
CREATE CONSTRAINT webhook_delivery_id IF NOT EXISTS FOR (d:WebhookDelivery) REQUIRE d.id IS UNIQUE;
CREATE INDEX webhook_delivery_due IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.status, d.nextAttemptAtMs);
CREATE INDEX webhook_delivery_hook IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.webhookId, d.sequence);
MERGE (c:Counter {name: 'webhook-dispatcher'}) ON CREATE SET c.value = 0

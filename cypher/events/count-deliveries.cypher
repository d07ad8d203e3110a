MATCH (d:WebhookDelivery {webhookId: $webhookId})
RETURN count(d) AS total

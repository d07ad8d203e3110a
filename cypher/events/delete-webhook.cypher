// Removes a webhook and its delivery log; returns nothing when there is no such webhook.
MATCH (w:Webhook {id: $id})
OPTIONAL MATCH (d:WebhookDelivery)-[:DELIVERY_FOR]->(w)
WITH w, w.id AS id, w.url AS url, collect(d) AS deliveries
FOREACH (d IN deliveries | DETACH DELETE d)
DETACH DELETE w
RETURN id, url

// Emission turned off: the emission webhook and its delivery log go.
MATCH (w:Webhook {id: $id})
OPTIONAL MATCH (d:WebhookDelivery)-[:DELIVERY_FOR]->(w)
WITH w, collect(d) AS deliveries
FOREACH (d IN deliveries | DETACH DELETE d)
DETACH DELETE w
RETURN count(*) AS removed

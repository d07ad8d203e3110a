// Where the webhook dispatcher resumes: the last event it turned into deliveries.
MERGE (c:Counter {name: 'webhook-dispatcher'}) ON CREATE SET c.value = 0
RETURN toString(c.value) AS sequence

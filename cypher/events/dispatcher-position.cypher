// Where the webhook dispatcher resumes: after the last event it turned into
// deliveries, but never before the oldest webhook existed. With no webhook
// there is nothing to do, and the dispatcher writes nothing. `formats`: the
// delivery formats some webhook uses (their bodies are built only then).
OPTIONAL MATCH (c:Counter {name: 'webhook-dispatcher'})
OPTIONAL MATCH (w:Webhook)
WITH c, count(w) AS webhooks, min(w.fromSequence) AS oldest, collect(DISTINCT w.format) AS formats
RETURN webhooks, formats,
       toString(CASE WHEN coalesce(c.value, 0) > coalesce(oldest, 0) THEN coalesce(c.value, 0) ELSE coalesce(oldest, 0) END) AS sequence

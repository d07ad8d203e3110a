// The newest committed sequence: where a tailer starting now begins.
OPTIONAL MATCH (c:Counter {name: 'events'})
RETURN toString(coalesce(c.value, 0)) AS sequence

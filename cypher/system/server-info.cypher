OPTIONAL MATCH (c:Counter {name: 'events'})
RETURN datetime.realtime() AS databaseTime, toString(coalesce(c.value, 0)) AS lastSequence

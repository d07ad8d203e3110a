// Backup: every relationship with its ends, streamed (reads the whole graph on purpose).
MATCH (a)-[r]->(b)
RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS a, elementId(b) AS b, properties(r) AS props

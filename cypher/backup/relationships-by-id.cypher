// Backup: the relationships the change tracker reported, as they are now (writes are paused).
UNWIND $ids AS id
MATCH (a)-[r]->(b)
WHERE elementId(r) = id
RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS a, elementId(b) AS b, properties(r) AS props

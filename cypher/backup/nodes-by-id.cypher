// Backup: the nodes the change tracker reported, as they are now (writes are paused).
// An id with no row was deleted.
UNWIND $ids AS id
MATCH (n)
WHERE elementId(n) = id
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props

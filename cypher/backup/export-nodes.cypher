// Backup: every node, streamed (reads the whole graph on purpose). Runs while
// writes go on; what changed meanwhile is re-read with nodes-by-id.
MATCH (n)
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props

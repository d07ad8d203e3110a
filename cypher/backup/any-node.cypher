// Restore: refuses a database that already holds anything.
OPTIONAL MATCH (n)
WITH n
LIMIT 1
RETURN n IS NOT NULL AS any

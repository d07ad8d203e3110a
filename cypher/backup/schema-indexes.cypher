// Backup manifest and restore check: the indexes that no constraint owns
// (constraints bring their own), without the two token lookup indexes every
// database has.
SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, owningConstraint
WHERE owningConstraint IS NULL AND type <> 'LOOKUP'
RETURN name, type, entityType, labelsOrTypes, properties
ORDER BY name

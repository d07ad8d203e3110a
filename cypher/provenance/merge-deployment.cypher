// The deployment a prediction was served by, created by name on first use
// (the operations module records what it serves).
MERGE (d:Deployment {name: $name})
  ON CREATE SET d.id = randomUUID(), d.createdAt = datetime.realtime()
RETURN d.id AS id

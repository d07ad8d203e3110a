// Ids of the migrations already applied to this database.
MATCH (m:Migration) RETURN m.id AS id ORDER BY m.id

// Backup manifest: the Neo4j that wrote the graph.
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition

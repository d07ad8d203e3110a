// Which of $names are principals.
UNWIND $names AS name
MATCH (p:Principal {name: name})
RETURN p.name AS name

// Bench (sizing): nodes, relationships and the properties each kind carries.
CALL () { MATCH (n) RETURN count(n) AS nodes, sum(size(keys(n))) AS nodeProperties }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships, sum(size(keys(r))) AS relationshipProperties }
RETURN nodes, nodeProperties, relationships, relationshipProperties

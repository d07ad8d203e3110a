// Bench: the alias moves of one alias in sequence order, to check that no
// concurrent move was lost (each move's "before" is the previous move's "after").
MATCH (e:Event {modelName: $modelName})
WHERE e.alias = $alias AND e.type = 'ALIAS_SET'
RETURN toString(e.sequence) AS sequence, e.before AS before, e.after AS after
ORDER BY e.sequence

// The alias view's build (src/registry/view): where each range of $size
// models begins, in name order, and the greatest name, so that the ranges
// (registry/view-models-page) cover every model and can be read side by side.
// Reads the names from the name index, nothing else.
MATCH (m:RegisteredModel)
WHERE m.name IS NOT NULL
WITH m.name AS name ORDER BY name
WITH collect(name) AS names
RETURN [i IN range(0, size(names) - 1, $size) | names[i]] AS starts, names[size(names) - 1] AS last

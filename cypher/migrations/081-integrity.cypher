// Integrity: alias events looked up by the version node they are about (a
// rollback checks where an alias pointed by node, not by model name), and one
// completion per (version, archival checklist item).
CREATE INDEX event_subject IF NOT EXISTS FOR (e:Event) ON (e.subjectId);
CREATE CONSTRAINT checklist_completion_key IF NOT EXISTS FOR (c:ChecklistCompletion) REQUIRE c.key IS UNIQUE

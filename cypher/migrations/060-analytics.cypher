// Analytics: composite indexes so the windowed event aggregations seek by
// type and time instead of filtering every event of that type.
CREATE INDEX event_type_at IF NOT EXISTS FOR (e:Event) ON (e.type, e.at);
CREATE INDEX model_version_model_stage IF NOT EXISTS FOR (v:ModelVersion) ON (v.modelName, v.stage);
CREATE INDEX alias_name_only IF NOT EXISTS FOR (a:Alias) ON (a.name)

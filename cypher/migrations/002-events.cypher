// The transactional outbox: one global, strictly increasing sequence.
CREATE CONSTRAINT event_sequence IF NOT EXISTS FOR (e:Event) REQUIRE e.sequence IS UNIQUE;
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE;
CREATE INDEX event_model IF NOT EXISTS FOR (e:Event) ON (e.modelName, e.sequence);
CREATE INDEX event_type IF NOT EXISTS FOR (e:Event) ON (e.type);
CREATE INDEX event_at IF NOT EXISTS FOR (e:Event) ON (e.at);
CREATE INDEX event_actor IF NOT EXISTS FOR (e:Event) ON (e.actor);
MERGE (c:Counter {name: 'events'}) ON CREATE SET c.value = 0, c.lastAtMs = 0

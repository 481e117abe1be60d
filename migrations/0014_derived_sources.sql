-- A source that rewrites or reports another (five outlets rewriting one TASS item, an
-- article reporting a think tank's report) is derived from it, with a note. The store
-- refuses a link that would make a cycle. An event's independent sources are the
-- distinct roots of the sources it cites.
ALTER TABLE sources ADD COLUMN derived_from_id INTEGER REFERENCES sources (id) ON DELETE SET NULL;
ALTER TABLE sources ADD COLUMN derived_note TEXT NOT NULL DEFAULT '';
CREATE INDEX sources_derived_from ON sources (derived_from_id) WHERE derived_from_id IS NOT NULL;

-- Derived like the search documents (store::derived keeps it in step): how many
-- sources an event cites, and how many independent ones.
CREATE TABLE event_provenance (
    event_id    INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    sources     INTEGER NOT NULL,
    independent INTEGER NOT NULL
);
INSERT INTO event_provenance (event_id, sources, independent)
SELECT event_id, count(DISTINCT source_id), count(DISTINCT source_id)
  FROM citations GROUP BY event_id;

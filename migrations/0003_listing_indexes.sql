-- Derived tables that make filters fast on large collections. Like the search documents,
-- the store rewrites an event's rows here whenever the event or what it involves changes.

-- Every country an event involves: as a participant, or as the place where it happened.
-- The country filter and the country pair read this table (an index range per country,
-- intersected), instead of testing every event.
CREATE TABLE event_countries (
    country_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    PRIMARY KEY (country_id, event_id)
) WITHOUT ROWID;
CREATE INDEX event_countries_event ON event_countries (event_id);

-- The days an event can stand for, as integers yyyymmdd, in an R*Tree: the date-range
-- filter finds the events whose interval overlaps the range without scanning the rest.
-- (Exact comparisons on the events row still decide; this only narrows the candidates.)
CREATE VIRTUAL TABLE event_spans USING rtree_i32 (id, earliest, latest);

-- The outlet filter reads citations from the source side; this index replaces the
-- narrower citations_source.
CREATE INDEX citations_source_event ON citations (source_id, event_id);
DROP INDEX citations_source;

-- Incremented by every write that changes what readers see, so that cached counts know
-- when they are stale (and a cache in another process would too).
INSERT INTO settings (key, value) VALUES ('generation', '0');

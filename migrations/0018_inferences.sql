-- Editors' knowledge, marked: a participant, a place or a relation between events that
-- no cited passage supports carries the editor's reason, and readers see it as the
-- editors' inference rather than something the sources say. NULL: the sources say it.
ALTER TABLE event_actors ADD COLUMN inference TEXT;
ALTER TABLE event_relations ADD COLUMN inference TEXT;
ALTER TABLE events ADD COLUMN place_inference TEXT;

-- Verification: each event's status derived from its sources and claims (kept with
-- its source counts in event_provenance by the store), which an editor may override
-- with a reason.
ALTER TABLE events ADD COLUMN verification TEXT CHECK (verification IS NULL OR verification IN (
    'unsourced', 'single_source', 'corroborated', 'officially_confirmed', 'disputed', 'denied'));
ALTER TABLE events ADD COLUMN verification_reason TEXT NOT NULL DEFAULT '';

-- The status the sources give (before an override), and whether some claim or some
-- source's date is ranked alternative. The store fills both (store::derived) once after
-- this migration and whenever an event or what it cites changes.
ALTER TABLE event_provenance ADD COLUMN verification TEXT NOT NULL DEFAULT 'unsourced' CHECK (verification IN (
    'unsourced', 'single_source', 'corroborated', 'officially_confirmed', 'disputed', 'denied'));
ALTER TABLE event_provenance ADD COLUMN alternatives INTEGER NOT NULL DEFAULT 0 CHECK (alternatives IN (0, 1));
-- The status readers see and filter by: the override, else the derived one.
ALTER TABLE event_provenance ADD COLUMN shown TEXT NOT NULL DEFAULT 'unsourced';
CREATE INDEX event_provenance_shown ON event_provenance (shown, event_id);

DELETE FROM settings WHERE key = 'provenance_version';

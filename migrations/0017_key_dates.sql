-- Further dates of an event when sources give them: when it was announced, signed, and
-- entered into force (EDTF, like the event's own date). "First reported" is computed
-- from the sources' publication dates, not stored.
ALTER TABLE events ADD COLUMN announced_edtf TEXT;
ALTER TABLE events ADD COLUMN signed_edtf TEXT;
ALTER TABLE events ADD COLUMN in_force_edtf TEXT;

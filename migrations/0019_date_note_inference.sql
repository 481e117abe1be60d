-- The date note too can be the editors' inference (a year inferred from a weekday, an
-- order of events no passage states): the reason readers see beside it.
ALTER TABLE events ADD COLUMN date_note_inference TEXT;

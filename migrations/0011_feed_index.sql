-- A view's feed lists its latest changes: published events by when they last changed.
-- Without this index the unfiltered feed sorted every published event (0.25 s at 100k).
CREATE INDEX events_status_updated ON events (status, updated_at);

-- The timeline index, widened to cover every column that row-level filters, counts and
-- the histogram read (the earliest day, the type and the precision), so that they are
-- answered from the index without visiting the (wide) event rows.
CREATE INDEX events_listing ON events (status, date_sort, date_latest, id, date_earliest, event_type, date_precision);
DROP INDEX events_timeline;

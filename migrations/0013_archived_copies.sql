-- A source's archived copy (a Wayback Machine or archive.today address), for when its
-- own address dies, and the day an editor retrieved the source (EDTF, a day).
ALTER TABLE sources ADD COLUMN archive_url TEXT;
ALTER TABLE sources ADD COLUMN retrieved_edtf TEXT;

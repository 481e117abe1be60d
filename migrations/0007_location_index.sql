-- Events by the country of their place: whether readers may see an actor (the country
-- of a published event's place), and which events a merge or an edit of a country
-- touches, without scanning every event.
CREATE INDEX events_location_country ON events (location_country_id);

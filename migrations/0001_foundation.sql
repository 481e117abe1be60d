-- The foundation data model: events, the actors and sources they involve, what each
-- source claims, tags and relations between events. Later migrations only append.

-- Countries, people, organizations and facilities. Countries are actors too, so that
-- "events involving Iran" and "events involving Khrenin" are the same query.
CREATE TABLE actors (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('country', 'person', 'organization', 'facility')),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    slug        TEXT NOT NULL,
    -- ISO 3166-1 alpha-2, upper case, for countries: the stable key of country filters.
    iso_code    TEXT UNIQUE CHECK (iso_code IS NULL OR (kind = 'country' AND length(iso_code) = 2)),
    -- The country a person, organization or facility belongs to.
    country_id  INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    description TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX actors_kind_name ON actors (kind, name);
CREATE INDEX actors_country ON actors (country_id);

-- Every other name of an actor, in any script ("Amir Nasirzadeh", "Віктар Хрэнін").
-- `folded` is the alias lower-cased with diacritics removed, for matching.
CREATE TABLE actor_aliases (
    id       INTEGER PRIMARY KEY,
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    alias    TEXT NOT NULL CHECK (length(trim(alias)) > 0),
    folded   TEXT NOT NULL,
    UNIQUE (actor_id, alias)
);
CREATE INDEX actor_aliases_folded ON actor_aliases (folded);

CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL CHECK (length(trim(title)) > 0),
    slug             TEXT NOT NULL,
    summary          TEXT NOT NULL DEFAULT '',  -- Markdown, sanitized when rendered
    event_type       TEXT NOT NULL CHECK (event_type IN (
                         'meeting', 'visit', 'agreement', 'statement', 'production', 'transfer',
                         'deployment', 'intelligence_claim', 'exercise', 'sanction', 'other')),
    agreement_kind   TEXT CHECK (agreement_kind IS NULL OR (event_type = 'agreement' AND agreement_kind IN (
                         'mou', 'treaty', 'roadmap', 'contract', 'protocol', 'other'))),
    -- The date as the editor knows it (EDTF subset), and the first and last day it can
    -- stand for (ISO yyyy-mm-dd), derived from it by the dates module, for sorting and
    -- overlap filters.
    date_edtf        TEXT NOT NULL,
    date_earliest    TEXT NOT NULL,
    date_latest      TEXT NOT NULL CHECK (date_latest >= date_earliest),
    -- The day the timeline files the event under: the earliest day, or the latest when
    -- the start is open ("until May 2023").
    date_sort        TEXT NOT NULL,
    date_precision   TEXT NOT NULL CHECK (date_precision IN ('year', 'season', 'month', 'day')),
    date_note        TEXT NOT NULL DEFAULT '',
    place            TEXT,
    location_country_id INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    status           TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'retracted')),
    status_reason    TEXT NOT NULL DEFAULT '',
    -- Incremented by every save; forms carry it so a stale save is detected.
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- The timeline: published events by date, both directions, with id as the tie-breaker.
CREATE INDEX events_timeline ON events (status, date_sort, date_latest, id);
CREATE INDEX events_type ON events (event_type, status, date_sort);

-- Who took part in an event and how; people carry their title at the time.
CREATE TABLE event_actors (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE RESTRICT,
    role     TEXT NOT NULL DEFAULT 'participant',
    title    TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, actor_id, role)
);
CREATE INDEX event_actors_actor ON event_actors (actor_id, event_id);

CREATE TABLE sources (
    id           INTEGER PRIMARY KEY,
    outlet       TEXT NOT NULL CHECK (length(trim(outlet)) > 0),
    title        TEXT NOT NULL CHECK (length(trim(title)) > 0),
    url          TEXT,
    -- Publication date in the same EDTF subset as events, with its first day for sorting.
    published_edtf     TEXT,
    published_earliest TEXT,
    author       TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX sources_outlet ON sources (outlet);

-- A citation: an event relies on a passage of a source. `claimed_date` is the source's
-- own date for the event when it gives one; it may disagree with the event's date.
CREATE TABLE citations (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    passage      TEXT NOT NULL DEFAULT '',
    claimed_date_edtf TEXT,
    note         TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX citations_event ON citations (event_id, position);
CREATE INDEX citations_source ON citations (source_id);

-- What a source says about an event, and who said it according to the source. Claims
-- on the same topic with different values are shown side by side as a disagreement.
CREATE TABLE claims (
    id            INTEGER PRIMARY KEY,
    citation_id   INTEGER NOT NULL REFERENCES citations (id) ON DELETE CASCADE,
    topic         TEXT NOT NULL CHECK (length(trim(topic)) > 0),
    value         TEXT NOT NULL CHECK (length(trim(value)) > 0),
    attributed_to TEXT,
    position      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX claims_citation ON claims (citation_id, position);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0)
);

CREATE TABLE event_tags (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, tag_id)
);
CREATE INDEX event_tags_tag ON event_tags (tag_id, event_id);

-- "This event <relation> that event"; the other side is shown with the inverse label.
CREATE TABLE event_relations (
    id            INTEGER PRIMARY KEY,
    from_event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    to_event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    relation      TEXT NOT NULL CHECK (relation IN ('follows_from', 'part_of', 'same_as', 'contradicts', 'related_to')),
    note          TEXT NOT NULL DEFAULT '',
    CHECK (from_event_id <> to_event_id),
    UNIQUE (from_event_id, to_event_id, relation)
);
CREATE INDEX event_relations_to ON event_relations (to_event_id);

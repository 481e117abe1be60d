-- Outlets become records: what kind of publisher an outlet is, its country, its
-- language and a note, edited with revisions like actors and sources. A source still
-- names its outlet (`sources.outlet`, the outlet's name); the triggers below give every
-- name a sources row uses an outlet record, so no write path can leave one out, and
-- renaming an outlet renames it on its sources in the same transaction (the store).
CREATE TABLE outlets (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind       TEXT NOT NULL DEFAULT 'unidentified' CHECK (kind IN (
                   'official', 'state_media', 'news_agency', 'independent_press', 'think_tank',
                   'military_intelligence', 'social_media', 'unidentified')),
    -- The country the outlet belongs to (an actor of kind country).
    country_id INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    -- Free text: "Persian", "Russian and English".
    language   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO outlets (name) SELECT DISTINCT outlet FROM sources ORDER BY outlet;

-- Names an outlet had before a rename: their addresses (`/outlets/{name}`, `outlet=`
-- filters) lead to the outlet's name now.
CREATE TABLE outlet_redirects (
    old_name  TEXT PRIMARY KEY,
    outlet_id INTEGER NOT NULL REFERENCES outlets (id) ON DELETE CASCADE
);

CREATE TRIGGER sources_outlet_inserted AFTER INSERT ON sources BEGIN
    INSERT OR IGNORE INTO outlets (name) VALUES (new.outlet);
END;
CREATE TRIGGER sources_outlet_renamed AFTER UPDATE OF outlet ON sources BEGIN
    INSERT OR IGNORE INTO outlets (name) VALUES (new.outlet);
END;

-- Revisions may now be of an outlet: the table is rebuilt with the wider CHECK.
CREATE TABLE revisions_wider (
    id         INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('event', 'actor', 'source', 'outlet')),
    entity_id  INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'edit', 'publish', 'unpublish', 'retract',
                                               'restore', 'revert', 'import', 'merge', 'delete')),
    summary    TEXT NOT NULL DEFAULT '',
    snapshot   TEXT NOT NULL CHECK (json_valid(snapshot)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (entity, entity_id, version)
);
INSERT INTO revisions_wider (id, entity, entity_id, version, user_id, action, summary, snapshot, created_at)
SELECT id, entity, entity_id, version, user_id, action, summary, snapshot, created_at FROM revisions;
DROP TABLE revisions;
ALTER TABLE revisions_wider RENAME TO revisions;
CREATE INDEX revisions_recent ON revisions (id DESC);

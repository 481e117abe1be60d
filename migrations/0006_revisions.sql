-- Every save of an event (later also of an actor or a source) is a revision: who, when,
-- what kind of change, the editor's summary, and a full JSON snapshot of the record as
-- it stood after the save. Revisions outlive what they describe (no foreign key on the
-- entity), so that nothing an editor did is lost.
CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('event', 'actor', 'source')),
    entity_id  INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- create, edit, publish, unpublish, retract, restore (a retracted event back to a
    -- draft), revert (an earlier version's content brought back), import (the record as
    -- loaded from a dataset, kept before its first change by an editor), merge (two
    -- actors made one), delete (removed for good by an admin; the snapshot keeps it).
    action     TEXT NOT NULL CHECK (action IN ('create', 'edit', 'publish', 'unpublish', 'retract',
                                               'restore', 'revert', 'import', 'merge', 'delete')),
    summary    TEXT NOT NULL DEFAULT '',
    snapshot   TEXT NOT NULL CHECK (json_valid(snapshot)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (entity, entity_id, version)
);
-- "Recent changes": the latest revisions across the site.
CREATE INDEX revisions_recent ON revisions (id DESC);

-- Actors merged into another: links to the old id lead to the actor it became.
CREATE TABLE actor_redirects (
    old_id INTEGER PRIMARY KEY,
    new_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE
);

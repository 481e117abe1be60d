-- The keys a dataset gave the records it created or matched, so that importing the
-- same file again finds them instead of creating them twice, and an exported dataset
-- gives them the same keys back. Keys are per kind of record, across all imports.
-- `matched`: the key names a record the import found by name, code or address rather
-- than created, so later imports keep that record's own fields too.
CREATE TABLE import_keys (
    entity    TEXT NOT NULL CHECK (entity IN ('event', 'actor', 'source')),
    key       TEXT NOT NULL CHECK (length(key) > 0),
    record_id INTEGER NOT NULL,
    matched   INTEGER NOT NULL DEFAULT 0 CHECK (matched IN (0, 1)),
    PRIMARY KEY (entity, key)
);
CREATE INDEX import_keys_record ON import_keys (entity, record_id);

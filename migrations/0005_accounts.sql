-- Editors and admins. Readers need no account. Passwords are stored only as argon2id
-- PHC strings. `session_epoch` is part of every session: raising it (on a password
-- reset or when the account is disabled) ends the account's sessions everywhere.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    role          TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    password_hash TEXT NOT NULL,
    session_epoch INTEGER NOT NULL DEFAULT 1,
    disabled_at   TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Failed sign-ins, by the account name typed (whether or not it exists, so that the
-- throttle cannot reveal which accounts exist) and by the client's address. Rows older
-- than the throttle's window are deleted as new ones arrive.
CREATE TABLE login_failures (
    id      INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL  -- Unix seconds
);
CREATE INDEX login_failures_account ON login_failures (account, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

-- The addresses an account has signed in from: a sign-in from a known address is judged
-- only by its own failures there, so that strangers failing against an account name, or
-- others failing behind the same office address, cannot lock its owner out.
CREATE TABLE login_successes (
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL,  -- Unix seconds of the latest success
    PRIMARY KEY (account, address)
);

-- Failed sign-ins of one account name from one address.
CREATE INDEX login_failures_pair ON login_failures (account, address, at);

-- Failures older than the throttle's window are deleted at every attempt.
CREATE INDEX login_failures_at ON login_failures (at);

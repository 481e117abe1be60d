-- Provenance: every claim, and every source's own date for an event, has a rank
-- (preferred, alternative, deprecated) with the editor's reason; a claim whose value is
-- a figure keeps it structured (bound, figure or range, unit, as-of date), so that
-- figures compare and show alike. `value` stays the text shown (for a quantity, its one
-- rendering).
ALTER TABLE claims ADD COLUMN rank TEXT NOT NULL DEFAULT 'preferred'
    CHECK (rank IN ('preferred', 'alternative', 'deprecated'));
ALTER TABLE claims ADD COLUMN rank_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN quantity_bound TEXT
    CHECK (quantity_bound IS NULL OR quantity_bound IN ('exactly', 'about', 'at_least', 'more_than', 'up_to', 'less_than'));
ALTER TABLE claims ADD COLUMN quantity_low REAL;
ALTER TABLE claims ADD COLUMN quantity_high REAL;
ALTER TABLE claims ADD COLUMN quantity_unit TEXT;
-- EDTF: a day, month or year.
ALTER TABLE claims ADD COLUMN quantity_as_of TEXT;

ALTER TABLE citations ADD COLUMN claimed_date_rank TEXT NOT NULL DEFAULT 'preferred'
    CHECK (claimed_date_rank IN ('preferred', 'alternative', 'deprecated'));
ALTER TABLE citations ADD COLUMN claimed_date_rank_reason TEXT NOT NULL DEFAULT '';

-- Claims stored before this migration are read as quantities once, by the program
-- (`store::claims::read_stored_quantities`), which then removes this mark.
INSERT INTO settings (key, value) VALUES ('claims_to_read', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;

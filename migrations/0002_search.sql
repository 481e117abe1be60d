-- Full-text search over events: one document per event (rowid = events.id), holding
-- its title, the names and aliases of everyone involved, its summary as plain text and
-- the passages its sources are cited for. The store writes these documents whenever an
-- event or what it cites changes (Markdown has to be rendered to text first, which SQL
-- cannot do), so there are no triggers.
--
-- unicode61 with remove_diacritics 2 folds case in every script and strips accents, so
-- "nasirzade" finds "Nasirzādeh" and "хренин" finds "Хренин". Prefix indexes of two and
-- three characters keep prefix queries ("nasir*") fast.
CREATE VIRTUAL TABLE event_search USING fts5 (
    title, names, summary, passages,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
-- Relevance: a match in the title counts most, then names, the summary, the passages.
INSERT INTO event_search (event_search, rank) VALUES ('rank', 'bm25(8.0, 4.0, 2.0, 1.0)');

-- Small facts about the database itself, such as which version of the search documents
-- it holds (so that a release that changes them rebuilds the index once, at start).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

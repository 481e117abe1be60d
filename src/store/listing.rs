//! The filtered timeline: a [`TimelineFilter`] becomes one SQL query with bound
//! parameters. Everything a researcher can narrow by lives here, so pages and later
//! exports share one definition of "matches".

use std::sync::Arc;

use roaring::RoaringBitmap;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::events::TimelineEntry;
use super::{ActorRef, Db, fold};
use crate::dates::iso_day;
use crate::domain::filter::{Cursor, Key, Order, Sort, TimelineFilter};
use crate::domain::search::SearchQuery;
use crate::error::{Error, Result};

/// Every match of a search as (rank, id), best first: bm25 ranks all matches anyway, so
/// keeping them makes the next pages, and the same page rendered again, cost only their
/// rows. The rank is [`RANK_KEY`]'s.
pub type RankedKeys = Vec<(i64, i64)>;

/// A match's rank as the store sorts, pages and links by it: FTS5's bm25 score (lower is
/// better) in billionths, cut to an integer; matches closer than that are ordered by id.
/// An integer reads back exactly from SQLite's text, so the index path's cursors agree
/// with the SQL path's without writing floats with all their digits (`%!.17g`, the
/// slower part of a common word's ranking in the `sqlite3` shell; no difference showed
/// in the server's page times).
const RANK_KEY: &str = "CAST(event_search.rank * 1e9 AS INTEGER)";

/// Ranked matches of recent searches, weighed by their bytes.
pub type RankedCache = crate::cache::GenerationCache<RankedKeys>;

/// Bytes of ranked keys kept at once, over all searches, within the server's memory
/// budget (docs/architecture.md, "Memory"). At 16 bytes a key, the searches of the last
/// few dozen rare words, or of the last common word at a million events (250,000
/// matches, 4 MB), whose next pages then cost no ranking.
pub const RANKED_BYTES: usize = 8 * 1024 * 1024;

/// The events searches match, as bitmaps for the read index, weighed by their bytes: a
/// page asks the index two or three times (page, count, facets), and turning a common
/// word's matches into a bitmap each time cost milliseconds.
pub type SearchSets = crate::cache::GenerationCache<RoaringBitmap>;

/// Bytes of search bitmaps kept at once: a word matching a quarter of a million events
/// takes about 130 KB.
pub const SEARCH_SET_BYTES: usize = 4 * 1024 * 1024;

/// Timeline lines kept for one generation, by event id (as text): a page's 50 cost
/// SQLite about half a millisecond, a kept one a copy (see [`Db::entry_lines`]).
pub type EntryCache = crate::cache::GenerationCache<TimelineEntry>;

/// Bytes of timeline lines kept at once: about 10,000 lines, 200 pages.
pub const ENTRY_CACHE_BYTES: usize = 4 * 1024 * 1024;

/// What a search's keys weigh in [`RankedCache`].
pub fn ranked_bytes(keys: &RankedKeys) -> usize {
    keys.capacity() * std::mem::size_of::<(i64, i64)>()
}

/// The keys of one page of a ranked list, in reading order (reversed when paging
/// backwards), as [`Db::page_keys`] returns them: after the cursor's key, or before it.
fn slice_ranked(ranked: &[(i64, i64)], cursor: Option<&Cursor>, limit: i64) -> Vec<Key> {
    let limit = usize::try_from(limit).unwrap_or(0);
    // Keys compare as `ORDER BY rank, id` orders them.
    let key = |&(rank, id): &(i64, i64)| Key::Rank { rank, id };
    match cursor {
        None => ranked.iter().take(limit).map(key).collect(),
        Some(Cursor::After(Key::Rank { rank, id })) => {
            let start = ranked.partition_point(|&k| k <= (*rank, *id));
            ranked[start..].iter().take(limit).map(key).collect()
        }
        Some(Cursor::Before(Key::Rank { rank, id })) => {
            let end = ranked.partition_point(|&k| k < (*rank, *id));
            ranked[..end].iter().rev().take(limit).map(key).collect()
        }
        Some(_) => Vec::new(),
    }
}

/// Which answers a store read uses: the read index when it can (the default), or SQL
/// only (for tests that compare the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    IndexOrSql,
    Sql,
}

/// One page of the timeline and the cursors of its neighbours, when it has any.
#[derive(Debug)]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    pub before: Option<Cursor>,
    pub after: Option<Cursor>,
}

impl TimelineFilter {
    /// Appends the joins and the WHERE clause for `events e`.
    ///
    /// Filters that pick events by what they involve (countries, actor, tag, outlet, a
    /// narrow date range) become sets of event ids read from indexes and intersected, so
    /// a rare combination costs what its parts cost, not a pass over every event. The
    /// event's own columns (status, type, exact dates) are checked on the row.
    pub(super) fn push_from_where(&self, sql: &mut QueryBuilder<'_, Sqlite>) {
        if self.search.is_some() {
            sql.push(" JOIN event_search ON event_search.rowid = e.id");
        }
        // A literal from a closed set (not a bound parameter), so that the planner sees
        // the same constant the indexes were analysed with.
        sql.push(" WHERE e.status = '")
            .push(self.status.as_str())
            .push("'");
        if let Some(search) = &self.search {
            sql.push(" AND event_search MATCH ").push_bind(search.fts.clone());
        }
        let narrow_range = match (&self.from, &self.to) {
            (Some(from), Some(to)) => (to.latest() - from.earliest()).whole_days() <= NARROW_RANGE_DAYS,
            _ => false,
        };
        let has_sets = !self.countries.is_empty()
            || self.actor.is_some()
            || self.tag.is_some()
            || self.outlet.is_some()
            || narrow_range;
        if has_sets {
            sql.push(" AND e.id IN (");
            let mut first = true;
            let mut next_set = |sql: &mut QueryBuilder<'_, Sqlite>| {
                if !first {
                    sql.push(" INTERSECT ");
                }
                first = false;
            };
            for code in &self.countries {
                next_set(sql);
                sql.push(
                    "SELECT event_id FROM event_countries \
                     WHERE country_id = (SELECT id FROM actors WHERE iso_code = ",
                )
                .push_bind(code.clone())
                .push(")");
            }
            if let Some(actor) = self.actor {
                // People and organizations take part; countries also host.
                next_set(sql);
                sql.push("SELECT event_id FROM event_actors WHERE actor_id = ")
                    .push_bind(actor)
                    .push(" UNION SELECT event_id FROM event_countries WHERE country_id = ")
                    .push_bind(actor);
            }
            if let Some(tag) = &self.tag {
                next_set(sql);
                sql.push(
                    "SELECT et.event_id FROM event_tags et \
                     WHERE et.tag_id = (SELECT id FROM tags WHERE name = ",
                )
                .push_bind(tag.clone())
                .push(")");
            }
            if let Some(outlet) = &self.outlet {
                next_set(sql);
                sql.push(
                    "SELECT c.event_id FROM sources s JOIN citations c ON c.source_id = s.id \
                     WHERE s.outlet = ",
                )
                .push_bind(outlet.clone());
            }
            if let (true, Some(from), Some(to)) = (narrow_range, &self.from, &self.to) {
                next_set(sql);
                sql.push("SELECT id FROM event_spans WHERE latest >= ")
                    .push_bind(day_number(from.earliest()))
                    .push(" AND earliest <= ")
                    .push_bind(day_number(to.latest()));
            }
            sql.push(")");
        }
        if !self.types.is_empty() {
            sql.push(" AND e.event_type IN (");
            let mut list = sql.separated(", ");
            for event_type in &self.types {
                list.push_bind(*event_type);
            }
            sql.push(")");
        }
        if !self.verification.is_empty() {
            sql.push(" AND e.id IN (SELECT event_id FROM event_provenance WHERE shown IN (");
            let mut list = sql.separated(", ");
            for status in &self.verification {
                list.push_bind(*status);
            }
            sql.push("))");
        }
        if self.alternatives {
            sql.push(" AND e.id IN (SELECT event_id FROM event_provenance WHERE alternatives = 1)");
        }
        if let Some(independent) = self.independent {
            sql.push(" AND e.id IN (SELECT event_id FROM event_provenance WHERE independent = ")
                .push_bind(independent)
                .push(")");
        }
        if let Some(from) = &self.from {
            sql.push(" AND e.date_latest >= ")
                .push_bind(iso_day(from.earliest()));
        }
        if let Some(to) = &self.to {
            sql.push(" AND e.date_earliest <= ")
                .push_bind(iso_day(to.latest()));
        }
    }
}

/// Words in a search result's snippet.
const SNIPPET_WORDS: usize = 24;

/// A date range at most this long is looked up in the R*Tree of event spans; a longer one
/// matches so much of the timeline that walking it in date order is cheaper.
const NARROW_RANGE_DAYS: i64 = 3 * 366;

/// A day as the integer yyyymmdd, as `event_spans` stores it.
fn day_number(day: time::Date) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(u8::from(day.month())) * 100 + i64::from(day.day())
}

impl Db {
    /// One page of published events matching `filter`: at most `limit`, starting after
    /// (or ending before) `cursor`. Keyset paging, so a page link keeps showing the same
    /// neighbourhood of events when others are added.
    pub async fn timeline_page(
        &self,
        filter: &TimelineFilter,
        cursor: Option<&Cursor>,
        limit: i64,
    ) -> Result<TimelinePage> {
        self.timeline_page_via(filter, cursor, limit, Via::IndexOrSql)
            .await
    }

    /// [`Db::timeline_page`], answered as `via` says.
    pub async fn timeline_page_via(
        &self,
        filter: &TimelineFilter,
        cursor: Option<&Cursor>,
        limit: i64,
        via: Via,
    ) -> Result<TimelinePage> {
        let backwards = matches!(cursor, Some(Cursor::Before(_)));
        let mut keys = self.page_keys(filter, cursor, limit + 1, via).await?;
        let more = keys.len() as i64 > limit;
        keys.truncate(limit as usize);
        if backwards {
            keys.reverse();
        }
        // The side the reader came from has more events by construction only when the
        // cursor's event still matches; ask instead of assuming.
        let (before, after) = match (keys.first(), keys.last()) {
            (Some(first), Some(last)) => {
                let before = Cursor::Before(first.clone());
                let after = Cursor::After(last.clone());
                let has_before = if backwards {
                    more
                } else {
                    cursor.is_some() && !self.page_keys(filter, Some(&before), 1, via).await?.is_empty()
                };
                let has_after = if backwards {
                    !self.page_keys(filter, Some(&after), 1, via).await?.is_empty()
                } else {
                    more
                };
                (has_before.then_some(before), has_after.then_some(after))
            }
            _ => (None, None),
        };
        let entries = self.entries(&keys, filter.search.as_ref()).await?;
        Ok(TimelinePage {
            entries,
            before,
            after,
        })
    }

    /// How many published events match `filter` (also part of [`Db::summary`], which
    /// costs more).
    pub async fn timeline_count(&self, filter: &TimelineFilter) -> Result<i64> {
        if let Some(count) = self
            .ask_read_index(filter, false, |index, search| index.count(filter, search))
            .await?
        {
            return Ok(count);
        }
        self.timeline_count_sql(filter).await
    }

    /// [`Db::timeline_count`] from SQL alone.
    pub(super) async fn timeline_count_sql(&self, filter: &TimelineFilter) -> Result<i64> {
        let mut sql = QueryBuilder::new("SELECT count(*) FROM events e");
        filter.push_from_where(&mut sql);
        Ok(sql.build_query_scalar().fetch_one(&self.read).await?)
    }

    /// The events a search matches, of any status, once per search and generation: as
    /// (rank, id), best first, when `ranked`; else as (0, id) in id order, which costs
    /// SQLite no ranking.
    async fn search_hits(
        &self,
        generation: i64,
        search: &SearchQuery,
        ranked: bool,
    ) -> Result<Arc<RankedKeys>> {
        let key = format!("{} {}", if ranked { "ranked" } else { "ids" }, search.fts);
        if let Some(hits) = self.ranked.get(generation, &key) {
            return Ok(hits);
        }
        // Ranked hits serve as plain ones.
        if !ranked && let Some(hits) = self.ranked.get(generation, &format!("ranked {}", search.fts)) {
            return Ok(hits);
        }
        // One text for all hits rather than a row each: sqlx's cost per row was most of
        // the time of a common word. (Reading two halves of the ids at once, on two
        // read connections, ranked a common word's matches a third faster, but kept a
        // second connection's caches warm: 8-10 MB more at a million events.)
        let rank = if ranked { RANK_KEY } else { "0" };
        let text: Option<String> = sqlx::query_scalar(&format!(
            "SELECT group_concat({rank} || ' ' || rowid, ';') FROM event_search \
              WHERE event_search MATCH ?"
        ))
        .bind(&search.fts)
        .fetch_one(&self.read)
        .await?;
        let mut hits: RankedKeys = Vec::new();
        for hit in text
            .as_deref()
            .unwrap_or_default()
            .split(';')
            .filter(|h| !h.is_empty())
        {
            let parsed = hit
                .split_once(' ')
                .and_then(|(rank, id)| Some((rank.parse::<i64>().ok()?, id.parse::<i64>().ok()?)));
            let Some(parsed) = parsed else {
                return Err(Error::Internal(format!("a search hit reads “{hit}”")));
            };
            hits.push(parsed);
        }
        // Best first, ties by id: as `ORDER BY rank, rowid`.
        hits.sort_unstable();
        // Kept at its length, which is what the cache weighs.
        hits.shrink_to_fit();
        let hits = Arc::new(hits);
        self.ranked.put(generation, key, hits.clone());
        Ok(hits)
    }

    /// `answer` run on the read index with the ids the filter's search matches, when the
    /// index reflects the current generation; None when SQL has to answer.
    pub(super) async fn ask_read_index<T>(
        &self,
        filter: &TimelineFilter,
        ranked: bool,
        answer: impl FnOnce(&super::read_index::ReadIndex, Option<&RoaringBitmap>) -> Option<T>,
    ) -> Result<Option<T>> {
        let mut generation = self.generation().await?;
        if !self.read_index_at(generation) {
            // A build under way (after a start, or after another process wrote) answers
            // sooner than SQL's facets over a large collection.
            if !self.wait_for_read_index_build().await {
                return Ok(None);
            }
            generation = self.generation().await?;
            if !self.read_index_at(generation) {
                return Ok(None);
            }
        }
        let search = match &filter.search {
            Some(search) => Some(self.search_set(generation, search, ranked).await?),
            None => None,
        };
        Ok(self.with_read_index(generation, |index| answer(index, search.as_deref())))
    }

    /// The events a search matches, as a bitmap, once per search and generation (from
    /// its hits, ranked when `ranked` so that a relevance sort finds them ranked too).
    async fn search_set(
        &self,
        generation: i64,
        search: &SearchQuery,
        ranked: bool,
    ) -> Result<Arc<RoaringBitmap>> {
        if let Some(set) = self.search_sets.get(generation, &search.fts) {
            return Ok(set);
        }
        let hits = self.search_hits(generation, search, ranked).await?;
        let mut ids: Vec<u32> = hits
            .iter()
            .filter_map(|&(_, id)| u32::try_from(id).ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let set = Arc::new(RoaringBitmap::from_sorted_iter(ids).unwrap_or_default());
        self.search_sets.put(generation, search.fts.clone(), set.clone());
        Ok(set)
    }

    /// Every event matching a search, best match first, as (rank, id): ranked once per
    /// view and generation, then paged in memory.
    async fn ranked_keys(&self, filter: &TimelineFilter, via: Via) -> Result<Arc<RankedKeys>> {
        let generation = self.generation().await?;
        let key = filter.cache_key();
        if via == Via::IndexOrSql
            && let Some(keys) = self.ranked.get(generation, &key)
        {
            return Ok(keys);
        }
        if via == Via::IndexOrSql
            && let Some(search) = &filter.search
            && let Some(matching) = self
                .ask_read_index(filter, true, |index, hits| index.match_set(filter, hits))
                .await?
        {
            // The search's ranking, kept to the events the whole filter matches.
            let hits = self.search_hits(generation, search, true).await?;
            let mut keys: RankedKeys = hits
                .iter()
                .filter(|(_, id)| u32::try_from(*id).is_ok_and(|id| matching.contains(id)))
                .copied()
                .collect();
            keys.shrink_to_fit();
            let keys = Arc::new(keys);
            self.ranked.put(generation, key, keys.clone());
            return Ok(keys);
        }
        let mut sql = QueryBuilder::new(format!("SELECT {RANK_KEY}, e.id FROM events e"));
        filter.push_from_where(&mut sql);
        sql.push(format!(" ORDER BY {RANK_KEY} ASC, e.id ASC"));
        let mut keys: RankedKeys = sql.build_query_as().fetch_all(&self.read).await?;
        keys.shrink_to_fit();
        let keys = Arc::new(keys);
        if via == Via::IndexOrSql {
            self.ranked.put(generation, key, keys.clone());
        }
        Ok(keys)
    }

    /// The sort keys of matching events, in the page's reading order (reversed when
    /// paging backwards).
    async fn page_keys(
        &self,
        filter: &TimelineFilter,
        cursor: Option<&Cursor>,
        limit: i64,
        via: Via,
    ) -> Result<Vec<Key>> {
        let relevance = filter.sort == Sort::Relevance && filter.search.is_some();
        if relevance && !matches!(cursor.map(Cursor::key), Some(Key::Date { .. })) {
            let ranked = self.ranked_keys(filter, via).await?;
            return Ok(slice_ranked(&ranked, cursor, limit));
        }
        if !relevance && via == Via::IndexOrSql {
            let order = match filter.sort {
                Sort::Date(order) => order,
                Sort::Relevance => Order::Desc,
            };
            let limit = usize::try_from(limit).unwrap_or(0);
            if let Some(keys) = self
                .ask_read_index(filter, false, |index, search| {
                    index.page_keys(filter, search, order, cursor, limit)
                })
                .await?
            {
                return Ok(keys);
            }
        }
        let mut sql = QueryBuilder::new(format!(
            "SELECT e.id, e.date_sort, e.date_latest, {} AS rank FROM events e",
            if relevance { RANK_KEY } else { "NULL" }
        ));
        filter.push_from_where(&mut sql);
        // Descending date order and ascending rank read "forwards"; a Before cursor
        // reads the other way from the same key.
        let forward_ascending = match filter.sort {
            Sort::Relevance if relevance => true,
            Sort::Date(Order::Asc) => true,
            _ => false,
        };
        let ascending = match cursor {
            Some(Cursor::Before(_)) => !forward_ascending,
            _ => forward_ascending,
        };
        let comparison = if ascending { " > " } else { " < " };
        match cursor.map(Cursor::key) {
            Some(Key::Date { sort, latest, id }) => {
                sql.push(" AND (e.date_sort, e.date_latest, e.id)")
                    .push(comparison)
                    .push("(")
                    .push_bind(sort.clone())
                    .push(", ")
                    .push_bind(latest.clone())
                    .push(", ")
                    .push_bind(*id)
                    .push(")");
            }
            Some(Key::Rank { rank, id }) => {
                sql.push(format!(" AND ({RANK_KEY}, e.id)"))
                    .push(comparison)
                    .push("(")
                    .push_bind(*rank)
                    .push(", ")
                    .push_bind(*id)
                    .push(")");
            }
            None => {}
        }
        let direction = if ascending { "ASC" } else { "DESC" };
        if relevance {
            sql.push(format!(" ORDER BY {RANK_KEY} {direction}, e.id {direction}"));
        } else {
            sql.push(format!(
                " ORDER BY e.date_sort {direction}, e.date_latest {direction}, e.id {direction}"
            ));
        }
        sql.push(" LIMIT ").push_bind(limit);
        let rows: Vec<(i64, String, String, Option<i64>)> =
            sql.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .map(|(id, sort, latest, rank)| match rank {
                Some(rank) if relevance => Key::Rank { rank, id },
                _ => Key::Date { sort, latest, id },
            })
            .collect())
    }

    /// Timeline entries for events in the given order, with their actors, and with
    /// highlighted titles and snippets when there is a search.
    async fn entries(&self, keys: &[Key], search: Option<&SearchQuery>) -> Result<Vec<TimelineEntry>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = keys.iter().map(Key::id).collect();
        let mut rows = self.entry_lines(&ids).await?;
        if let Some(search) = search {
            let list = serde_json::to_string(&ids).map_err(|e| Error::Internal(e.to_string()))?;
            // The documents are read from FTS5's content table (`<table>_content`, whose
            // columns c0..c3 are title, names, summary, passages): a plain b-tree lookup,
            // where a second MATCH for highlight() would re-run the whole search.
            let documents: Vec<(i64, String, String, String, String)> = sqlx::query_as(
                "SELECT id, c0, c1, c2, c3 FROM event_search_content \
                 WHERE id IN (SELECT value FROM json_each(?))",
            )
            .bind(&list)
            .fetch_all(&self.read)
            .await?;
            for (id, title, names, summary, passages) in documents {
                if let Some(entry) = rows.iter_mut().find(|e| e.id == id) {
                    entry.marked_title = Some(search.highlight(&title).0);
                    // The text that matched most; on a tie (max_by_key keeps the last)
                    // passages win over the summary, and both over names.
                    entry.snippet = [names, summary, passages]
                        .iter()
                        .filter_map(|text| search.snippet(text, SNIPPET_WORDS))
                        .max_by_key(|(_, hits)| *hits)
                        .map(|(snippet, _)| snippet);
                }
            }
        }
        Ok(rows)
    }

    /// The timeline lines of these events (without a search's marks), in this order:
    /// kept per generation (see [`EntryCache`]), read from SQL for those not kept yet.
    async fn entry_lines(&self, ids: &[i64]) -> Result<Vec<TimelineEntry>> {
        // Read before the entries: what is kept under it is never older (see
        // `actor_refs`).
        let generation = self.generation().await?;
        let (mut kept, missing) = self.lines.get_ids(generation, ids);
        if !missing.is_empty() {
            let list = serde_json::to_string(&missing).map_err(|e| Error::Internal(e.to_string()))?;
            let parsed: Vec<super::events::EntryJson> =
                super::bulk::json_rows(&self.read, super::events::ENTRIES_JSON, Some(&list)).await?;
            let mut named = Vec::with_capacity(parsed.len());
            for (_, text) in &parsed {
                named.push(super::events::named_actors(text.as_deref().unwrap_or_default())?);
            }
            let wanted: Vec<i64> = named.iter().flatten().map(|&(_, id)| id).collect();
            let actors = self.actor_refs(generation, &wanted).await?;
            for ((mut entry, _), named) in parsed.into_iter().zip(named) {
                let named = named
                    .into_iter()
                    .filter_map(|(position, id)| Some((position, actors.get(&id)?.as_ref())))
                    .collect();
                super::events::name_actors(&mut entry, named);
                let line = Arc::new(entry);
                self.lines.put(generation, line.id.to_string(), line.clone());
                kept.insert(line.id, line);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| kept.get(id).map(|line| TimelineEntry::clone(line)))
            .collect())
    }

    /// The filter form's countries, tags and outlets (with those of unpublished events
    /// for editors), read once per generation: every view checks its filter against
    /// them, and reading them took three queries per page.
    pub async fn filter_choices(&self, include_unpublished: bool) -> Result<std::sync::Arc<FilterChoices>> {
        let generation = self.generation().await?;
        let key = if include_unpublished { "editors" } else { "readers" };
        if let Some(choices) = self.choices.get(generation, key) {
            return Ok(choices);
        }
        let mut tx = self.read.begin().await?;
        let generation = super::derived::read_generation(&mut tx).await?;
        let choices = std::sync::Arc::new(FilterChoices {
            countries: super::actors::countries_on(&mut tx, include_unpublished).await?,
            tags: tags_on(&mut tx, include_unpublished).await?,
            outlets: outlets_on(&mut tx, include_unpublished).await?,
        });
        tx.commit().await?;
        self.choices.put(generation, key.to_owned(), choices.clone());
        Ok(choices)
    }

    /// Every tag in use, for the filter form.
    pub async fn tags(&self, include_unpublished: bool) -> Result<Vec<String>> {
        tags_on(&mut *self.read.acquire().await?, include_unpublished).await
    }

    /// Every outlet among the sources, for the filter form.
    pub async fn outlets(&self, include_unpublished: bool) -> Result<Vec<String>> {
        outlets_on(&mut *self.read.acquire().await?, include_unpublished).await
    }

    /// Actors whose name or any alias, folded (case and Latin diacritics ignored, any
    /// script), contains the folded `text`: "nasirzade", "Хренин" and "amir nasirzadeh"
    /// all find their actor. When some match a whole name exactly, only those are returned.
    pub async fn find_actors(&self, text: &str) -> Result<Vec<ActorRef>> {
        if fold(text).is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.actor_finder().await?.find(text))
    }

    /// Every actor's names, read and folded once, to look up many names (the rows of a
    /// form) at the cost of one.
    pub async fn actor_finder(&self) -> Result<ActorFinder> {
        let rows: Vec<(i64, crate::domain::ActorKind, String, String, Option<String>)> = sqlx::query_as(
            "SELECT a.id, a.kind, a.name, a.slug, al.folded FROM actors a \
             LEFT JOIN actor_aliases al ON al.actor_id = a.id ORDER BY a.name, a.id",
        )
        .fetch_all(&self.read)
        .await?;
        let mut names = Vec::with_capacity(rows.len());
        let mut last: Option<(i64, String)> = None;
        for (id, kind, name, slug, alias) in rows {
            // An actor's rows (one per alias) follow each other: fold its name once.
            let folded = match &last {
                Some((last_id, folded)) if *last_id == id => folded.clone(),
                _ => fold(&name),
            };
            last = Some((id, folded.clone()));
            names.push((ActorRef { id, kind, name, slug }, folded, alias));
        }
        Ok(ActorFinder { names })
    }
}

/// Every actor's name and aliases, folded, for looking names up (see
/// [`Db::find_actors`]).
pub struct ActorFinder {
    /// (actor, folded name, one folded alias), an actor's rows together.
    names: Vec<(ActorRef, String, Option<String>)>,
}

impl ActorFinder {
    /// The actors `text` names (see [`Db::find_actors`]).
    pub fn find(&self, text: &str) -> Vec<ActorRef> {
        let wanted = fold(text);
        if wanted.is_empty() {
            return Vec::new();
        }
        // Exact matches of a whole name or alias win over partial ones.
        let mut exact: Vec<ActorRef> = Vec::new();
        let mut partial: Vec<ActorRef> = Vec::new();
        for (actor, folded_name, alias) in &self.names {
            let is_exact = *folded_name == wanted || alias.as_deref() == Some(wanted.as_str());
            let is_partial =
                folded_name.contains(&wanted) || alias.as_deref().is_some_and(|a| a.contains(&wanted));
            let list = if is_exact {
                &mut exact
            } else if is_partial {
                &mut partial
            } else {
                continue;
            };
            if !list.iter().any(|a| a.id == actor.id) {
                list.push(actor.clone());
            }
        }
        partial.retain(|p| !exact.iter().any(|e| e.id == p.id));
        if exact.is_empty() { partial } else { exact }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, Key, slice_ranked};

    fn ids(keys: &[Key]) -> Vec<i64> {
        keys.iter().map(Key::id).collect()
    }

    #[test]
    fn ranked_pages_continue_after_and_before_a_key_with_ties_broken_by_id() {
        let ranked = [(-3000, 7), (-2000, 1), (-2000, 4), (-1000, 2), (-500, 9)];
        assert_eq!(ids(&slice_ranked(&ranked, None, 2)), [7, 1]);
        let after = Cursor::After(Key::Rank { rank: -2000, id: 1 });
        assert_eq!(ids(&slice_ranked(&ranked, Some(&after), 2)), [4, 2]);
        let before = Cursor::Before(Key::Rank { rank: -1000, id: 2 });
        assert_eq!(
            ids(&slice_ranked(&ranked, Some(&before), 2)),
            [4, 1],
            "reading backwards"
        );
        // A key no longer in the list (its event changed) still places the page.
        let gone = Cursor::After(Key::Rank { rank: -1500, id: 100 });
        assert_eq!(ids(&slice_ranked(&ranked, Some(&gone), 10)), [2, 9]);
        let end = Cursor::After(Key::Rank { rank: -500, id: 9 });
        assert!(slice_ranked(&ranked, Some(&end), 10).is_empty());
        let start = Cursor::Before(Key::Rank { rank: -3000, id: 7 });
        assert!(slice_ranked(&ranked, Some(&start), 10).is_empty());
    }
}

/// An event as a feed lists it: its timeline entry, its summary (Markdown) and when it
/// was first saved and last changed (RFC 3339, UTC).
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub entry: TimelineEntry,
    pub summary: String,
    pub created_at: String,
    pub updated_at: String,
}

impl Db {
    /// The `limit` events matching `filter` changed most recently, last changed first:
    /// what a feed of the view tells its subscribers, whatever the events' own dates.
    /// Changes within one second are told apart by their revisions' order.
    pub async fn recently_changed(&self, filter: &TimelineFilter, limit: i64) -> Result<Vec<FeedEntry>> {
        let mut sql = QueryBuilder::new(
            "SELECT e.id, e.date_sort, e.date_latest, e.summary, e.created_at, e.updated_at FROM events e",
        );
        filter.push_from_where(&mut sql);
        sql.push(
            " ORDER BY e.updated_at DESC, \
               (SELECT max(r.id) FROM revisions r WHERE r.entity = 'event' AND r.entity_id = e.id) DESC, \
               e.id DESC LIMIT ",
        )
        .push_bind(limit);
        let rows: Vec<(i64, String, String, String, String, String)> =
            sql.build_query_as().fetch_all(&self.read).await?;
        let keys: Vec<Key> = rows
            .iter()
            .map(|(id, sort, latest, ..)| Key::Date {
                sort: sort.clone(),
                latest: latest.clone(),
                id: *id,
            })
            .collect();
        let mut saved: std::collections::HashMap<i64, (String, String, String)> = rows
            .into_iter()
            .map(|(id, _, _, summary, created_at, updated_at)| (id, (summary, created_at, updated_at)))
            .collect();
        let entries = self.entries(&keys, None).await?;
        Ok(entries
            .into_iter()
            .filter_map(|entry| {
                let (summary, created_at, updated_at) = saved.remove(&entry.id)?;
                Some(FeedEntry {
                    entry,
                    summary,
                    created_at,
                    updated_at,
                })
            })
            .collect())
    }
}

/// The filter form's choices (see [`Db::filter_choices`]).
#[derive(Debug)]
pub struct FilterChoices {
    /// (ISO code, name) of countries.
    pub countries: Vec<(String, String)>,
    pub tags: Vec<String>,
    pub outlets: Vec<String>,
}

async fn tags_on(conn: &mut SqliteConnection, include_unpublished: bool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM tags t WHERE ?1 OR EXISTS (SELECT 1 FROM event_tags et \
           JOIN events e ON e.id = et.event_id WHERE et.tag_id = t.id AND e.status = 'published') \
         ORDER BY name",
    )
    .bind(include_unpublished)
    .fetch_all(&mut *conn)
    .await?)
}

async fn outlets_on(conn: &mut SqliteConnection, include_unpublished: bool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT outlet FROM sources s WHERE ?1 OR EXISTS (SELECT 1 FROM citations c \
           JOIN events e ON e.id = c.event_id WHERE c.source_id = s.id AND e.status = 'published') \
         ORDER BY outlet COLLATE NOCASE",
    )
    .bind(include_unpublished)
    .fetch_all(&mut *conn)
    .await?)
}

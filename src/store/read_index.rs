//! The read index: the published events held in memory in timeline order, with a
//! compressed bitmap of event ids per country, actor, tag, outlet, type and verification
//! status, so that a view nobody asked for yet (its page, count, facets and histogram)
//! costs a few milliseconds instead of SQL aggregates over every matching row.
//!
//! SQLite stays the one source of truth. The index is derived from it: built whole in
//! the background when the server starts ([`Db::start_read_index`]), then kept in step by
//! every write that goes through [`super::loader::Loader::commit`], which reads the
//! changed events' rows inside its own transaction and hands them over after the commit
//! ([`Db::apply_to_read_index`]). The index carries the generation it reflects; a reader
//! uses it only when that is the database's current generation, and asks SQL otherwise
//! (before the first build, between a commit and its update, after a write by another
//! process, which also starts a rebuild). So the index never shows anything SQL would not.
//!
//! A filter becomes an intersection of bitmaps (the candidates) and, for a date range, a
//! scan of the slice of the timeline whose sort days can match. The result is the
//! matching entries in timeline order: a page is a slice of them, a facet a count over
//! their per-event lists, the histogram a count per month. `tests/read_index.rs` compares
//! every answer with SQL's on random views and after every kind of write.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use roaring::RoaringBitmap;
use sqlx::SqliteConnection;
use time::Date;

use super::Db;
use super::summary::{FACET_LIMIT, FacetValue, PeriodCount, Summary};
use crate::dates::{iso_day, parse_iso_day};
use crate::domain::filter::{Cursor, Key, Order, TimelineFilter};
use crate::domain::{EventStatus, EventType, Verification};
use crate::error::{Error, Result};

/// One published event as the index orders and counts it, in 16 bytes (a million
/// events are held twice: in timeline order and by id). Days are Julian day numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    sort: i32,
    latest: i32,
    id: u32,
    /// Days from the earliest day to the sort day: 0 but for an open start;
    /// [`FAR`] when further, the earliest day then being in [`ReadIndex::far_earliest`].
    before: u16,
    /// Position of the type in [`EventType::ALL`].
    kind: u8,
    /// Position of the shown status in [`Verification::ALL`], plus one (0: no row), in
    /// the low bits; [`PRECISE`] when dated to a month or a day (the monthly histogram
    /// counts only those).
    flags: u8,
}

/// [`Entry::before`] of an earliest day too far before the sort day to count in 16 bits.
const FAR: u16 = u16::MAX;
/// [`Entry::flags`]' bit of a date precise to the month or the day.
const PRECISE: u8 = 0x80;

impl Entry {
    /// The timeline's order: sort day, then latest day, then id.
    fn key(&self) -> (i32, i32, u32) {
        (self.sort, self.latest, self.id)
    }

    /// Position of the shown status in [`Verification::ALL`], plus one; 0: no row.
    fn shown(&self) -> u8 {
        self.flags & !PRECISE
    }

    fn precise(&self) -> bool {
        self.flags & PRECISE != 0
    }
}

/// Per event, the values its facets count and its bitmaps hold, in one arena of 16-bit
/// words (half of what 32-bit ids take: a few thousand actors, tags and outlets need 15
/// bits). A record is a header word of four 4-bit word counts, one per list (15: the
/// count follows the header as a value), then the lists' values. A value takes 15 bits
/// per word, low bits first, the high bit set on every word but its last. An actor's
/// value is its id << 1, plus 1 when the actors facet counts it.
#[derive(Debug, Default)]
struct Lists {
    /// Where each event id's record starts in `arena`; `u32::MAX` when it has none.
    start: Vec<u32>,
    arena: Vec<u16>,
    /// Words of the arena no event points to any more (rewritten events).
    garbage: usize,
}

/// What one event contributes, read from SQL.
#[derive(Debug, Default, Clone)]
struct EventLists {
    countries: Vec<u32>,
    /// (actor id, counted by the actors facet).
    actors: Vec<(u32, bool)>,
    tags: Vec<u32>,
    outlets: Vec<u32>,
}

/// Appends `value` to `words`, 15 bits per word (see [`Lists`]).
fn push_value(words: &mut Vec<u16>, mut value: u32) {
    loop {
        let low = (value & 0x7fff) as u16;
        value >>= 15;
        if value == 0 {
            words.push(low);
            return;
        }
        words.push(low | 0x8000);
    }
}

/// How many words [`push_value`] takes for `value`.
fn value_words(value: u32) -> usize {
    1 + usize::from(value >= 1 << 15) + usize::from(value >= 1 << 30)
}

/// The values of one list of a [`Lists`] record.
#[derive(Debug, Clone)]
struct Values<'a>(&'a [u16]);

impl Iterator for Values<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let mut value = 0u32;
        let mut shift = 0u32;
        loop {
            let (&word, rest) = self.0.split_first()?;
            self.0 = rest;
            value |= u32::from(word & 0x7fff).checked_shl(shift).unwrap_or(0);
            if word & 0x8000 == 0 {
                return Some(value);
            }
            shift += 15;
        }
    }
}

impl Lists {
    /// An event's record: the word range of each list, and the record's length.
    fn record(&self, start: usize) -> ([std::ops::Range<usize>; 4], usize) {
        let header = self.arena[start];
        let mut at = start + 1;
        let mut words = [0usize; 4];
        for (list, words) in words.iter_mut().enumerate() {
            let nibble = usize::from(header >> (4 * list) & 0xf);
            *words = if nibble == 0xf {
                let mut extra = Values(&self.arena[at..]);
                let n = extra.next().unwrap_or(0) as usize;
                at = self.arena.len() - extra.0.len();
                n
            } else {
                nibble
            };
        }
        let ranges = words.map(|n| {
            let range = at..at + n;
            at += n;
            range
        });
        (ranges, at - start)
    }

    fn get(&self, id: u32) -> Option<ListsRef<'_>> {
        let start = *self.start.get(id as usize)?;
        if start == u32::MAX {
            return None;
        }
        let ([countries, actors, tags, outlets], _) = self.record(start as usize);
        Some(ListsRef {
            countries: Values(&self.arena[countries]),
            actors: Values(&self.arena[actors]),
            tags: Values(&self.arena[tags]),
            outlets: Values(&self.arena[outlets]),
        })
    }

    fn set(&mut self, id: u32, lists: &EventLists) {
        self.remove(id);
        // Written straight into the arena (a build sets a million records): the word
        // counts first, from the values' sizes, then the values.
        let actor = |&(actor, counted): &(u32, bool)| actor << 1 | u32::from(counted);
        let words = |values: &mut dyn Iterator<Item = u32>| -> usize { values.map(value_words).sum() };
        let counts = [
            words(&mut lists.countries.iter().copied()),
            words(&mut lists.actors.iter().map(actor)),
            words(&mut lists.tags.iter().copied()),
            words(&mut lists.outlets.iter().copied()),
        ];
        let start = self.arena.len() as u32;
        let header = counts.iter().enumerate().fold(0u16, |header, (list, &n)| {
            header | (n.min(0xf) as u16) << (4 * list)
        });
        self.arena.push(header);
        for &n in counts.iter().filter(|&&n| n >= 0xf) {
            push_value(&mut self.arena, n as u32);
        }
        for &country in &lists.countries {
            push_value(&mut self.arena, country);
        }
        for value in lists.actors.iter().map(actor) {
            push_value(&mut self.arena, value);
        }
        for &tag in &lists.tags {
            push_value(&mut self.arena, tag);
        }
        for &outlet in &lists.outlets {
            push_value(&mut self.arena, outlet);
        }
        if self.start.len() <= id as usize {
            self.start.resize(id as usize + 1, u32::MAX);
        }
        self.start[id as usize] = start;
    }

    fn remove(&mut self, id: u32) {
        if let Some(&start) = self.start.get(id as usize)
            && start != u32::MAX
        {
            self.garbage += self.record(start as usize).1;
            self.start[id as usize] = u32::MAX;
        }
        if self.garbage > 1024 && self.garbage * 2 > self.arena.len() {
            self.compact();
        }
    }

    /// Rewrites the arena without the words no event points to.
    fn compact(&mut self) {
        let mut arena = Vec::with_capacity(self.arena.len() - self.garbage);
        for id in 0..self.start.len() {
            let at = self.start[id];
            if at == u32::MAX {
                continue;
            }
            let len = self.record(at as usize).1;
            self.start[id] = arena.len() as u32;
            arena.extend_from_slice(&self.arena[at as usize..at as usize + len]);
        }
        self.arena = arena;
        self.garbage = 0;
    }
}

struct ListsRef<'a> {
    countries: Values<'a>,
    actors: Values<'a>,
    tags: Values<'a>,
    outlets: Values<'a>,
}

/// The published events in memory (see the module's documentation).
#[derive(Debug, Default)]
pub struct ReadIndex {
    /// The database generation this index reflects.
    generation: i64,
    /// Published events, ascending in timeline order.
    order: Vec<Entry>,
    /// The same entries by id (id 0 marks an absent one: ids start at 1).
    by_id: Vec<Entry>,
    lists: Lists,
    countries: HashMap<u32, RoaringBitmap>,
    /// Events an actor takes part in (any role) or, for a country, involve it.
    actors: HashMap<u32, RoaringBitmap>,
    tags: HashMap<u32, RoaringBitmap>,
    outlets: HashMap<u32, RoaringBitmap>,
    types: Vec<RoaringBitmap>,
    shown: Vec<RoaringBitmap>,
    alternatives: RoaringBitmap,
    independent: HashMap<i64, RoaringBitmap>,
    /// Actors (countries) by ISO code, and the code of each actor that has one.
    country_codes: HashMap<String, u32>,
    actor_codes: HashMap<u32, String>,
    actor_names: HashMap<u32, String>,
    tag_ids: HashMap<String, u32>,
    tag_names: HashMap<u32, String>,
    /// Outlets by name, and names by id (the filter names an outlet).
    outlet_ids: HashMap<String, u32>,
    outlet_names: HashMap<u32, String>,
    /// The largest actor and tag ids the lists hold, for counting in dense arrays.
    max_actor: u32,
    max_tag: u32,
    /// The longest an event runs past its sort day, and before it, in days: how far
    /// outside a date range an event's sort day can be and still match.
    lead: i32,
    lag: i32,
    /// The earliest day of events whose entry cannot hold it (see [`Entry::before`]):
    /// open starts, a few.
    far_earliest: HashMap<u32, i32>,
}

/// Rows of some events as SQL holds them, read inside one transaction.
#[derive(Debug, Default)]
pub(crate) struct IndexRows {
    generation: i64,
    /// The events asked for; those missing from `events` were deleted or are not
    /// published.
    ids: Vec<i64>,
    /// The published ones among them.
    events: Vec<EventRow>,
    labels: Labels,
}

/// The names and codes the index shows and finds records by.
#[derive(Debug, Default)]
struct Labels {
    /// (id, kind is country, ISO code, name) of actors.
    actors: Vec<(i64, bool, Option<String>, String)>,
    tags: Vec<(i64, String)>,
    outlets: Vec<(i64, String)>,
}

/// One published event with its lists as comma-separated ids: one row per event, which
/// SQLite and sqlx hand over several times faster than one row per link.
#[derive(Debug, sqlx::FromRow)]
struct EventRow {
    id: i64,
    date_sort: String,
    date_latest: String,
    date_earliest: String,
    date_precision: String,
    event_type: EventType,
    countries: Option<String>,
    /// Actor id × 2, plus 1 when the actors facet counts it.
    actors: Option<String>,
    tags: Option<String>,
    outlets: Option<String>,
    shown: Option<Verification>,
    alternatives: Option<bool>,
    independent: Option<i64>,
}

/// Reads the index's rows of the given events on `conn`, which should be inside a
/// transaction so that they agree with each other and the generation.
pub(super) async fn read_rows(conn: &mut SqliteConnection, ids: &[i64]) -> Result<IndexRows> {
    let list = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let generation = super::derived::read_generation(conn).await?;
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT e.id, e.date_sort, e.date_latest, e.date_earliest, e.date_precision, e.event_type, \
           (SELECT group_concat(x.country_id) FROM event_countries x WHERE x.event_id = e.id) AS countries, \
           (SELECT group_concat(x.actor_id * 2 + (a.kind <> 'country' AND x.role NOT IN ('reporter', 'mentioned'))) \
              FROM event_actors x JOIN actors a ON a.id = x.actor_id WHERE x.event_id = e.id) AS actors, \
           (SELECT group_concat(x.tag_id) FROM event_tags x WHERE x.event_id = e.id) AS tags, \
           (SELECT group_concat(DISTINCT o.id) FROM citations x JOIN sources s ON s.id = x.source_id \
              JOIN outlets o ON o.name = s.outlet WHERE x.event_id = e.id) AS outlets, \
           p.shown, p.alternatives, p.independent \
         FROM events e LEFT JOIN event_provenance p ON p.event_id = e.id \
         WHERE e.status = 'published' AND e.id IN (SELECT value FROM json_each(?1))"
    )
    .bind(&list)
    .fetch_all(&mut *conn)
    .await?;
    let actors = sqlx::query_as(
        "SELECT a.id, a.kind = 'country', a.iso_code, a.name FROM actors a WHERE a.id IN ( \
           SELECT actor_id FROM event_actors WHERE event_id IN (SELECT value FROM json_each(?1)) \
           UNION SELECT country_id FROM event_countries WHERE event_id IN (SELECT value FROM json_each(?1)))",
    )
    .bind(&list)
    .fetch_all(&mut *conn)
    .await?;
    let tags = sqlx::query_as(
        "SELECT t.id, t.name FROM tags t WHERE t.id IN ( \
           SELECT tag_id FROM event_tags WHERE event_id IN (SELECT value FROM json_each(?1)))",
    )
    .bind(&list)
    .fetch_all(&mut *conn)
    .await?;
    let outlets = sqlx::query_as(
        "SELECT o.id, o.name FROM outlets o WHERE o.name IN ( \
           SELECT s.outlet FROM citations c JOIN sources s ON s.id = c.source_id \
            WHERE c.event_id IN (SELECT value FROM json_each(?1)))",
    )
    .bind(&list)
    .fetch_all(&mut *conn)
    .await?;
    Ok(IndexRows {
        generation,
        ids: ids.to_vec(),
        events,
        labels: Labels {
            actors,
            tags,
            outlets,
        },
    })
}

/// Changes to more events than this are applied to the timeline order in one pass.
const SMALL_BATCH: usize = 64;

/// Event ids per chunk of a whole build (see [`build_all`]).
#[cfg(not(debug_assertions))]
const CHUNK: i64 = 16_384;
/// Debug builds (the tests) read small chunks, so that a test collection spans several.
#[cfg(debug_assertions)]
const CHUNK: i64 = 50;

/// One chunk of event ids' rows, each table's as one text: SQLite hands over a few long
/// texts much faster than sqlx hands over rows one at a time (see docs/performance.md).
/// Items are separated by `;`; an item is the event id, `:`, then its values.
#[derive(Debug, Default)]
struct Chunk {
    first: i64,
    /// `id:sort latest earliest precision type`.
    events: Option<String>,
    /// `id:shown alternatives independent`.
    provenance: Option<String>,
    /// `id:country,country,…`.
    countries: Option<String>,
    /// `id:value,…`, a value being actor id × 2, plus 1 when the role is counted.
    actors: Option<String>,
    tags: Option<String>,
    /// `id:source,…`.
    sources: Option<String>,
}

/// The per-chunk statements, in the order of [`Chunk`]'s texts, each over the event ids
/// `?1..=?2` and reading an index in event order where there is one.
const CHUNK_STATEMENTS: [&str; 6] = [
    "SELECT group_concat(id || ':' || date_sort || ' ' || date_latest || ' ' || date_earliest || ' ' \
            || date_precision || ' ' || event_type, ';') \
       FROM events WHERE id BETWEEN ?1 AND ?2 AND status = 'published'",
    "SELECT group_concat(event_id || ':' || shown || ' ' || alternatives || ' ' || independent, ';') \
       FROM event_provenance WHERE event_id BETWEEN ?1 AND ?2",
    "SELECT group_concat(event_id || ':' || ids, ';') FROM ( \
       SELECT event_id, group_concat(country_id) AS ids FROM event_countries INDEXED BY event_countries_event \
        WHERE event_id BETWEEN ?1 AND ?2 GROUP BY event_id)",
    "SELECT group_concat(event_id || ':' || ids, ';') FROM ( \
       SELECT event_id, group_concat(actor_id * 2 + (role NOT IN ('reporter', 'mentioned'))) AS ids \
         FROM event_actors WHERE event_id BETWEEN ?1 AND ?2 GROUP BY event_id)",
    "SELECT group_concat(event_id || ':' || ids, ';') FROM ( \
       SELECT event_id, group_concat(tag_id) AS ids FROM event_tags \
        WHERE event_id BETWEEN ?1 AND ?2 GROUP BY event_id)",
    "SELECT group_concat(event_id || ':' || ids, ';') FROM ( \
       SELECT event_id, group_concat(source_id) AS ids FROM citations \
        WHERE event_id BETWEEN ?1 AND ?2 GROUP BY event_id)",
];

/// Builds the whole index from every published event, reading on `conn` (inside one
/// transaction) one chunk of event ids at a time while another thread takes in the
/// chunk before: the build holds one chunk's texts at a time, never the collection's.
async fn build_all(conn: &mut SqliteConnection) -> Result<ReadIndex> {
    let generation = super::derived::read_generation(conn).await?;
    let labels = Labels {
        actors: sqlx::query_as("SELECT id, kind = 'country', iso_code, name FROM actors")
            .fetch_all(&mut *conn)
            .await?,
        tags: sqlx::query_as("SELECT id, name FROM tags")
            .fetch_all(&mut *conn)
            .await?,
        outlets: sqlx::query_as("SELECT id, name FROM outlets")
            .fetch_all(&mut *conn)
            .await?,
    };
    let sources: Option<String> = sqlx::query_scalar(
        "SELECT group_concat(s.id || ':' || o.id, ';') FROM sources s JOIN outlets o ON o.name = s.outlet",
    )
    .fetch_one(&mut *conn)
    .await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM events")
        .fetch_one(&mut *conn)
        .await?;
    let (chunks, mut received) = tokio::sync::mpsc::channel::<Chunk>(2);
    let builder = tokio::task::spawn_blocking(move || {
        let mut builder = Builder::new(generation, labels, sources.as_deref());
        while let Some(chunk) = received.blocking_recv() {
            builder.take(&chunk)?;
        }
        Ok::<_, Error>(builder.finish())
    });
    let mut first = 1;
    while first <= last.unwrap_or(0) {
        let mut texts = Vec::with_capacity(CHUNK_STATEMENTS.len());
        for statement in CHUNK_STATEMENTS {
            let text: Option<String> = sqlx::query_scalar(statement)
                .bind(first)
                .bind(first + CHUNK - 1)
                .fetch_one(&mut *conn)
                .await?;
            texts.push(text);
        }
        let [events, provenance, countries, actors, tags, sources] =
            <[Option<String>; 6]>::try_from(texts)
                .map_err(|_| Error::Internal("the read index's chunk".into()))?;
        let chunk = Chunk {
            first,
            events,
            provenance,
            countries,
            actors,
            tags,
            sources,
        };
        if chunks.send(chunk).await.is_err() {
            // The builder stopped: its error is the answer.
            break;
        }
        first += CHUNK;
    }
    drop(chunks);
    builder
        .await
        .map_err(|e| Error::Internal(format!("building the read index: {e}")))?
}

/// Takes in a whole build's chunks (see [`build_all`]).
struct Builder {
    index: ReadIndex,
    /// Whether an actor id is a country's (the actors facet does not count those).
    country: Vec<bool>,
    /// The outlet of each source id (`u32::MAX`: none).
    outlet_of: Vec<u32>,
    /// The events taken in, to order at the end.
    added: Vec<Entry>,
}

impl Builder {
    fn new(generation: i64, labels: Labels, sources: Option<&str>) -> Builder {
        let mut country = Vec::new();
        for &(id, is_country, _, _) in &labels.actors {
            if let Some(id) = id32(id).map(|id| id as usize) {
                if country.len() <= id {
                    country.resize(id + 1, false);
                }
                country[id] = is_country;
            }
        }
        let mut outlet_of = Vec::new();
        for (source, outlet) in sources.unwrap_or_default().split(';').filter_map(|item| {
            let (source, outlet) = item.split_once(':')?;
            Some((source.parse::<usize>().ok()?, outlet.parse::<u32>().ok()?))
        }) {
            if outlet_of.len() <= source {
                outlet_of.resize(source + 1, u32::MAX);
            }
            outlet_of[source] = outlet;
        }
        let mut index = ReadIndex::empty();
        index.generation = generation;
        index.take_labels(labels);
        Builder {
            index,
            country,
            outlet_of,
            added: Vec::new(),
        }
    }

    fn take(&mut self, chunk: &Chunk) -> Result<()> {
        // Each table's values of each event of the chunk, by id − first.
        let mut values = vec![[""; 5]; CHUNK as usize];
        let tables = [
            &chunk.provenance,
            &chunk.countries,
            &chunk.actors,
            &chunk.tags,
            &chunk.sources,
        ];
        for (table, text) in tables.into_iter().enumerate() {
            for (id, rest) in items(text.as_deref()) {
                if let Some(slot) = slot(chunk.first, id).and_then(|at| values.get_mut(at)) {
                    slot[table] = rest;
                }
            }
        }
        let mut lists = EventLists::default();
        for (id, rest) in items(chunk.events.as_deref()) {
            let unreadable = || Error::Internal(format!("the read index cannot read event {id}: “{rest}”"));
            let fields: Vec<&str> = rest.split(' ').collect();
            let &[sort, latest, earliest, precision, kind] = fields.as_slice() else {
                return Err(unreadable());
            };
            let kind = EventType::parse(kind).ok_or_else(unreadable)?;
            let [provenance, countries, actors, tags, sources] = slot(chunk.first, id)
                .and_then(|at| values.get(at))
                .copied()
                .unwrap_or_default();
            let mut provenance = provenance.split(' ');
            let shown = provenance.next().and_then(Verification::parse);
            let alternatives = provenance.next() == Some("1");
            let independent = provenance.next().and_then(|n| n.parse().ok());
            let Some((entry, earliest)) = Entry::read(id, sort, latest, earliest, precision, kind, shown)
            else {
                tracing::warn!("event {id} has dates the read index cannot read");
                continue;
            };
            lists.countries = id_list(Some(countries));
            lists.actors = actor_list(Some(actors), |actor| {
                self.country.get(actor as usize).copied().unwrap_or(false)
            });
            lists.tags = id_list(Some(tags));
            lists.outlets = id_list(Some(sources))
                .into_iter()
                .filter_map(|source| self.outlet_of.get(source as usize).copied())
                .filter(|&outlet| outlet != u32::MAX)
                .collect();
            lists.outlets.sort_unstable();
            lists.outlets.dedup();
            self.index
                .insert(entry, earliest, &lists, alternatives, independent);
            self.added.push(entry);
        }
        Ok(())
    }

    fn finish(mut self) -> ReadIndex {
        self.added.sort_unstable_by_key(Entry::key);
        self.index.order = self.added;
        self.index.shrink();
        self.index
    }
}

/// The items of a chunk's text: (event id, the rest).
fn items(text: Option<&str>) -> impl Iterator<Item = (i64, &str)> {
    text.unwrap_or_default().split(';').filter_map(|item| {
        let (id, rest) = item.split_once(':')?;
        Some((id.parse().ok()?, rest))
    })
}

/// Where an event id falls within the chunk that starts at `first`.
fn slot(first: i64, id: i64) -> Option<usize> {
    usize::try_from(id - first).ok()
}

/// An event's actors from their values (actor id × 2, plus 1 when the role is counted),
/// sorted by id, each once (counted when any of its roles is), and not counted when
/// `is_country` says the actor is a country.
fn actor_list(text: Option<&str>, is_country: impl Fn(u32) -> bool) -> Vec<(u32, bool)> {
    let mut actors: Vec<(u32, bool)> = id_list(text)
        .into_iter()
        .map(|value| (value >> 1, value & 1 == 1 && !is_country(value >> 1)))
        .collect();
    // An actor in two roles, one counted: counted once.
    actors.sort_unstable_by_key(|&(actor, counted)| (actor, !counted));
    actors.dedup_by_key(|&mut (actor, _)| actor);
    actors
}

/// The ids of a comma-separated list, sorted, without repeats.
fn id_list(text: Option<&str>) -> Vec<u32> {
    let mut ids: Vec<u32> = text
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn id32(id: i64) -> Option<u32> {
    u32::try_from(id).ok()
}

fn julian(text: &str) -> Option<Date> {
    parse_iso_day(text)
}

/// The month of Julian days (year × 12 + month − 1), remembering the last one's bounds:
/// days that come in timeline order ask the calendar once per month.
#[derive(Debug, Default)]
struct MonthOf {
    /// The first day of the month last asked for, and the first of the next.
    first: i32,
    next: i32,
    month: i32,
}

impl MonthOf {
    fn of(&mut self, day: i32) -> i32 {
        if !(self.first..self.next).contains(&day) {
            let Ok(date) = Date::from_julian_day(day) else {
                return 0;
            };
            self.month = date.year() * 12 + i32::from(u8::from(date.month())) - 1;
            self.first = day - i32::from(date.day()) + 1;
            self.next = self.first + i32::from(date.month().length(date.year()));
        }
        self.month
    }
}

fn position<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap_or(0)
}

impl ReadIndex {
    /// The earliest day of an entry's date.
    fn earliest(&self, entry: &Entry) -> i32 {
        match entry.before {
            FAR => self.far_earliest.get(&entry.id).copied().unwrap_or(i32::MIN),
            days => entry.sort - i32::from(days),
        }
    }

    /// An index of no events.
    fn empty() -> ReadIndex {
        ReadIndex {
            types: vec![RoaringBitmap::new(); EventType::ALL.len()],
            shown: vec![RoaringBitmap::new(); Verification::ALL.len()],
            ..ReadIndex::default()
        }
    }

    /// Gives back the slack of vectors that grew by doubling while filled.
    fn shrink(&mut self) {
        self.order.shrink_to_fit();
        self.by_id.shrink_to_fit();
        self.lists.start.shrink_to_fit();
        self.lists.arena.shrink_to_fit();
    }

    /// Takes in the rows of changed events: removes what the index held of them and
    /// adds them again when they are published.
    fn apply(&mut self, rows: IndexRows) {
        self.generation = rows.generation;
        self.take_labels(rows.labels);
        // Out with the old state of every event the rows speak for. A large batch (an
        // import) leaves the timeline order in one pass instead of one shift per event.
        let gone: Vec<u32> = rows.ids.iter().filter_map(|&id| id32(id)).collect();
        let batch = gone.len() > SMALL_BATCH;
        for &id in &gone {
            self.remove(id, !batch);
        }
        if batch {
            let gone: std::collections::HashSet<u32> = gone.into_iter().collect();
            self.order.retain(|e| !gone.contains(&e.id));
        }
        let mut added = Vec::new();
        for row in rows.events {
            let Some((entry, earliest)) = Entry::read(
                row.id,
                &row.date_sort,
                &row.date_latest,
                &row.date_earliest,
                &row.date_precision,
                row.event_type,
                row.shown,
            ) else {
                tracing::warn!("event {} has dates the read index cannot read", row.id);
                continue;
            };
            let lists = EventLists {
                countries: id_list(row.countries.as_deref()),
                // SQL already leaves countries uncounted.
                actors: actor_list(row.actors.as_deref(), |_| false),
                tags: id_list(row.tags.as_deref()),
                outlets: id_list(row.outlets.as_deref()),
            };
            self.insert(
                entry,
                earliest,
                &lists,
                row.alternatives.unwrap_or(false),
                row.independent,
            );
            added.push(entry);
        }
        if added.len() > SMALL_BATCH {
            self.order.extend(added);
            self.order.sort_unstable_by_key(Entry::key);
        } else {
            for entry in added {
                let at = self.order.partition_point(|e| e.key() < entry.key());
                self.order.insert(at, entry);
            }
        }
    }

    /// Takes in actors', tags' and outlets' codes and names.
    fn take_labels(&mut self, labels: Labels) {
        // Old codes and names first, and only where they still lead to the same record:
        // within one batch a code or a name may pass from one record to another.
        let actor_labels: Vec<(u32, Option<String>, String)> = labels
            .actors
            .into_iter()
            .filter_map(|(id, _, code, name)| Some((id32(id)?, code, name)))
            .collect();
        for (id, code, _) in &actor_labels {
            if let Some(old) = self
                .actor_codes
                .get(id)
                .filter(|old| code.as_deref() != Some(old.as_str()))
                && self.country_codes.get(old) == Some(id)
            {
                self.country_codes.remove(old);
            }
        }
        for (id, code, name) in actor_labels {
            // As SQL: any actor with an ISO code is found by it (countries have one).
            match code {
                Some(code) => {
                    self.country_codes.insert(code.clone(), id);
                    self.actor_codes.insert(id, code);
                }
                None => {
                    self.actor_codes.remove(&id);
                }
            }
            self.actor_names.insert(id, name);
        }
        for (id, name) in labels.tags {
            let Some(id) = id32(id) else { continue };
            self.tag_ids.insert(name.clone(), id);
            self.tag_names.insert(id, name);
        }
        let outlet_labels: Vec<(u32, String)> = labels
            .outlets
            .into_iter()
            .filter_map(|(id, name)| Some((id32(id)?, name)))
            .collect();
        for (id, name) in &outlet_labels {
            // A renamed outlet is no longer found by its old name.
            if let Some(old) = self
                .outlet_names
                .get(id)
                .filter(|old| old.as_str() != name.as_str())
                && self.outlet_ids.get(old) == Some(id)
            {
                self.outlet_ids.remove(old);
            }
        }
        for (id, name) in outlet_labels {
            self.outlet_ids.insert(name.clone(), id);
            self.outlet_names.insert(id, name);
        }
    }

    fn insert(
        &mut self,
        entry: Entry,
        earliest: i32,
        lists: &EventLists,
        alternatives: bool,
        independent: Option<i64>,
    ) {
        let id = entry.id;
        self.lead = self.lead.max(entry.latest - entry.sort);
        self.lag = self.lag.max(entry.sort - earliest);
        if entry.before == FAR {
            self.far_earliest.insert(id, earliest);
        }
        if self.by_id.len() <= id as usize {
            self.by_id.resize(id as usize + 1, Entry::absent());
        }
        self.by_id[id as usize] = entry;
        let largest = |ids: &mut dyn Iterator<Item = u32>| ids.max().unwrap_or(0);
        self.max_actor = self
            .max_actor
            .max(largest(&mut lists.countries.iter().copied()))
            .max(largest(&mut lists.actors.iter().map(|a| a.0)));
        self.max_tag = self.max_tag.max(largest(&mut lists.tags.iter().copied()));
        for &country in &lists.countries {
            self.countries.entry(country).or_default().insert(id);
            self.actors.entry(country).or_default().insert(id);
        }
        for &(actor, _) in &lists.actors {
            self.actors.entry(actor).or_default().insert(id);
        }
        for &tag in &lists.tags {
            self.tags.entry(tag).or_default().insert(id);
        }
        for &outlet in &lists.outlets {
            self.outlets.entry(outlet).or_default().insert(id);
        }
        self.types[entry.kind as usize].insert(id);
        if entry.shown() > 0 {
            self.shown[entry.shown() as usize - 1].insert(id);
        }
        if alternatives {
            self.alternatives.insert(id);
        }
        if let Some(independent) = independent {
            self.independent.entry(independent).or_default().insert(id);
        }
        self.lists.set(id, lists);
    }

    /// Forgets an event (a no-op for one the index does not hold); its place in the
    /// timeline order too, unless the caller removes a batch from it at once.
    fn remove(&mut self, id: u32, from_order: bool) {
        let Some(entry) = self.by_id.get(id as usize).copied().filter(|e| e.id == id) else {
            return;
        };
        if let Some(lists) = self.lists.get(id) {
            for country in lists.countries {
                remove_from(&mut self.countries, country, id);
                remove_from(&mut self.actors, country, id);
            }
            for actor in lists.actors {
                remove_from(&mut self.actors, actor >> 1, id);
            }
            for tag in lists.tags {
                remove_from(&mut self.tags, tag, id);
            }
            for outlet in lists.outlets {
                remove_from(&mut self.outlets, outlet, id);
            }
        }
        self.lists.remove(id);
        self.far_earliest.remove(&id);
        self.types[entry.kind as usize].remove(id);
        if entry.shown() > 0 {
            self.shown[entry.shown() as usize - 1].remove(id);
        }
        self.alternatives.remove(id);
        for bitmap in self.independent.values_mut() {
            bitmap.remove(id);
        }
        if from_order {
            let at = self.order.partition_point(|e| e.key() < entry.key());
            if self.order.get(at).is_some_and(|e| e.id == id) {
                self.order.remove(at);
            }
        }
        self.by_id[id as usize] = Entry::absent();
    }

    /// How many published events the index holds.
    fn len(&self) -> usize {
        self.order.len()
    }

    /// About how many bytes the index holds on the heap, as (entries in order and by id,
    /// per-event lists, bitmaps): its vectors' capacities and its bitmaps' serialized
    /// sizes (close to their size in memory), without the labels' maps.
    fn heap_bytes(&self) -> (usize, usize, usize) {
        let entry = std::mem::size_of::<Entry>();
        let maps = [&self.countries, &self.actors, &self.tags, &self.outlets];
        let bitmaps: usize = maps
            .iter()
            .flat_map(|map| map.values())
            .chain(self.types.iter())
            .chain(self.shown.iter())
            .chain(self.independent.values())
            .chain(std::iter::once(&self.alternatives))
            .map(RoaringBitmap::serialized_size)
            .sum();
        (
            (self.order.capacity() + self.by_id.capacity()) * entry,
            self.lists.start.capacity() * 4 + self.lists.arena.capacity() * 2,
            bitmaps,
        )
    }

    /// The events matching `filter`, ascending in timeline order, or None when the index
    /// cannot answer it (anything but published events). `search` is the set of event
    /// ids the filter's search matches.
    fn matches(&self, filter: &TimelineFilter, search: Option<&RoaringBitmap>) -> Option<Matches<'_>> {
        if filter.status != EventStatus::Published || (filter.search.is_some() && search.is_none()) {
            return None;
        }
        let empty = RoaringBitmap::new();
        let mut sets: Vec<Cow<'_, RoaringBitmap>> = Vec::new();
        for code in &filter.countries {
            let bitmap = self.country_codes.get(code).and_then(|id| self.countries.get(id));
            sets.push(Cow::Borrowed(bitmap.unwrap_or(&empty)));
        }
        if let Some(actor) = filter.actor {
            let bitmap = id32(actor).and_then(|id| self.actors.get(&id));
            sets.push(Cow::Borrowed(bitmap.unwrap_or(&empty)));
        }
        if let Some(tag) = &filter.tag {
            let bitmap = self.tag_ids.get(tag).and_then(|id| self.tags.get(id));
            sets.push(Cow::Borrowed(bitmap.unwrap_or(&empty)));
        }
        if let Some(outlet) = &filter.outlet {
            let bitmap = self.outlet_ids.get(outlet).and_then(|id| self.outlets.get(id));
            sets.push(Cow::Borrowed(bitmap.unwrap_or(&empty)));
        }
        if !filter.types.is_empty() {
            let mut union = RoaringBitmap::new();
            for event_type in &filter.types {
                union |= &self.types[position(EventType::ALL, event_type)];
            }
            sets.push(Cow::Owned(union));
        }
        if !filter.verification.is_empty() {
            let mut union = RoaringBitmap::new();
            for status in &filter.verification {
                union |= &self.shown[position(Verification::ALL, status)];
            }
            sets.push(Cow::Owned(union));
        }
        if filter.alternatives {
            sets.push(Cow::Borrowed(&self.alternatives));
        }
        if let Some(independent) = filter.independent {
            sets.push(Cow::Borrowed(
                self.independent.get(&independent).unwrap_or(&empty),
            ));
        }
        if let Some(search) = search {
            sets.push(Cow::Borrowed(search));
        }
        // Smallest first, so each intersection is as cheap as it can be.
        sets.sort_by_key(|s| s.len());
        let candidates: Option<RoaringBitmap> = sets.split_first().map(|(first, rest)| {
            let mut result = first.clone().into_owned();
            for set in rest {
                if result.is_empty() {
                    break;
                }
                result &= set.as_ref();
            }
            result
        });

        let mut test = Test {
            index: self,
            from: filter.from.as_ref().map(|d| d.earliest().to_julian_day()),
            to: filter.to.as_ref().map(|d| d.latest().to_julian_day()),
            set: None,
        };
        // Sort days outside [from − lead, to + lag] cannot match.
        let low = test.from.map_or(0, |from| {
            let bound = from.saturating_sub(self.lead);
            self.order.partition_point(|e| e.sort < bound)
        });
        let high = test.to.map_or(self.order.len(), |to| {
            let bound = to.saturating_add(self.lag);
            self.order.partition_point(|e| e.sort <= bound)
        });
        let zone = &self.order[low..high.max(low)];
        let ranged = test.from.is_some() || test.to.is_some();
        Some(match candidates {
            None if !ranged => Matches::Slice(zone),
            // Few candidates: their entries, sorted.
            Some(set) if (set.len() as usize) < zone.len() / 8 => {
                Matches::Picked(self.sorted(&set, |e| test.passes(e)))
            }
            set => {
                test.set = set;
                Matches::Walked { zone, test }
            }
        })
    }

    /// The entries of the published events in `set` that pass `keep`, in timeline order.
    fn sorted(&self, set: &RoaringBitmap, keep: impl Fn(&Entry) -> bool) -> Vec<Entry> {
        let mut picked: Vec<Entry> = set
            .iter()
            .filter_map(|id| self.by_id.get(id as usize).copied())
            .filter(|e| e.id != 0 && keep(e))
            .collect();
        picked.sort_unstable_by_key(Entry::key);
        picked
    }

    /// How many published events match `filter`, or None when the index cannot say.
    pub(crate) fn count(&self, filter: &TimelineFilter, search: Option<&RoaringBitmap>) -> Option<i64> {
        self.matches(filter, search).map(|m| m.len() as i64)
    }

    /// The date keys of a page of matches, in reading order (reversed when paging
    /// backwards), as [`Db::page_keys`] gives them; None when the index cannot answer
    /// (a rank cursor on a date-sorted view, an unreadable cursor).
    pub(crate) fn page_keys(
        &self,
        filter: &TimelineFilter,
        search: Option<&RoaringBitmap>,
        order: Order,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Option<Vec<Key>> {
        let matches = self.matches(filter, search)?;
        let at = match cursor.map(Cursor::key) {
            None => None,
            Some(Key::Date { sort, latest, id }) => Some((
                julian(sort)?.to_julian_day(),
                julian(latest)?.to_julian_day(),
                *id,
            )),
            Some(Key::Rank { .. }) => return None,
        };
        let ascending = match cursor {
            Some(Cursor::Before(_)) => order == Order::Desc,
            _ => order == Order::Asc,
        };
        // Keys compare with the cursor's (an id beyond u32 sorts after every event).
        let cmp_key = |e: &Entry, (sort, latest, id): (i32, i32, i64)| {
            (e.sort, e.latest, i64::from(e.id)).cmp(&(sort, latest, id))
        };
        // The entries are a slice in timeline order, all of them matching or those that
        // pass the test: the cursor's place is found in the slice, the page walked from it.
        let (entries, test) = matches.parts();
        let passes = |e: &&Entry| test.is_none_or(|test| test.passes(e));
        let picked: Vec<&Entry> = if ascending {
            let start = at.map_or(0, |at| entries.partition_point(|e| cmp_key(e, at).is_le()));
            entries[start..].iter().filter(passes).take(limit).collect()
        } else {
            let end = at.map_or(entries.len(), |at| {
                entries.partition_point(|e| cmp_key(e, at).is_lt())
            });
            entries[..end].iter().rev().filter(passes).take(limit).collect()
        };
        Some(picked.into_iter().map(Entry::date_key).collect())
    }

    /// The ids of the events matching `filter`, for filtering a ranked search.
    pub(crate) fn match_set(
        &self,
        filter: &TimelineFilter,
        search: Option<&RoaringBitmap>,
    ) -> Option<RoaringBitmap> {
        let matches = self.matches(filter, search)?;
        let mut ids: Vec<u32> = matches.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        RoaringBitmap::from_sorted_iter(ids).ok()
    }

    /// The summary of the events matching `filter`, equal to what SQL counts
    /// ([`Db::summary`]), or None when the index cannot answer.
    pub(crate) fn summary(&self, filter: &TimelineFilter, search: Option<&RoaringBitmap>) -> Option<Summary> {
        let matches = self.matches(filter, search)?;
        let mut types = vec![0i64; EventType::ALL.len()];
        let mut shown = vec![0i64; Verification::ALL.len() + 1];
        // Dense counters by id: a few thousand actors and tags at most.
        let mut countries = vec![0i64; self.max_actor as usize + 1];
        let mut actors = vec![0i64; self.max_actor as usize + 1];
        let mut tags = vec![0i64; self.max_tag as usize + 1];
        // Matches come in timeline order, so months and years come in runs.
        let mut months: Vec<(i32, i64)> = Vec::new();
        let mut years: Vec<(i32, i64)> = Vec::new();
        let count_in = |runs: &mut Vec<(i32, i64)>, period: i32| match runs.last_mut() {
            Some((last, n)) if *last == period => *n += 1,
            _ => runs.push((period, 1)),
        };
        let mut month_of = MonthOf::default();
        let mut total = 0;
        for entry in matches.iter() {
            total += 1;
            types[entry.kind as usize] += 1;
            shown[entry.shown() as usize] += 1;
            let month = month_of.of(entry.sort);
            if entry.precise() {
                count_in(&mut months, month);
            }
            count_in(&mut years, month.div_euclid(12));
            if let Some(lists) = self.lists.get(entry.id) {
                for country in lists.countries {
                    if let Some(n) = countries.get_mut(country as usize) {
                        *n += 1;
                    }
                }
                for actor in lists.actors.filter(|actor| actor & 1 == 1) {
                    if let Some(n) = actors.get_mut((actor >> 1) as usize) {
                        *n += 1;
                    }
                }
                for tag in lists.tags {
                    if let Some(n) = tags.get_mut(tag as usize) {
                        *n += 1;
                    }
                }
            }
        }
        // As SQL: the actor's ISO code and name, whatever its kind.
        let countries = top(countries, |id| {
            (
                self.actor_codes.get(&id).cloned(),
                self.actor_names.get(&id).cloned().unwrap_or_default(),
            )
        });
        let actors = top(actors, |id| {
            (
                Some(id.to_string()),
                self.actor_names.get(&id).cloned().unwrap_or_default(),
            )
        });
        let tags = top(tags, |id| {
            let name = self.tag_names.get(&id).cloned().unwrap_or_default();
            (Some(name.clone()), name)
        });
        let stored = |text: &str, count: i64| FacetValue {
            value: text.to_owned(),
            label: text.to_owned(),
            count,
        };
        let mut type_facet: Vec<FacetValue> = EventType::ALL
            .iter()
            .zip(&types)
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| stored(t.as_str(), *n))
            .collect();
        type_facet.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let mut verification: Vec<FacetValue> = Verification::ALL
            .iter()
            .zip(&shown[1..])
            .filter(|(_, n)| **n > 0)
            .map(|(v, n)| stored(v.as_str(), *n))
            .collect();
        verification.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let periods = |runs: Vec<(i32, i64)>, name: fn(i32) -> String| {
            runs.into_iter()
                .map(|(period, count)| PeriodCount {
                    period: name(period),
                    count,
                })
                .collect()
        };
        Some(Summary {
            total,
            countries,
            types: type_facet,
            tags,
            actors,
            verification,
            months: periods(months, |m| {
                format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
            }),
            years: periods(years, |y| format!("{y:04}")),
        })
    }
}

impl Entry {
    /// The entry of an event from its row's values; None when its id or dates cannot
    /// be read.
    fn read(
        id: i64,
        sort: &str,
        latest: &str,
        earliest: &str,
        precision: &str,
        kind: EventType,
        shown: Option<Verification>,
    ) -> Option<(Entry, i32)> {
        let sort = julian(sort)?.to_julian_day();
        let earliest = julian(earliest)?.to_julian_day();
        let shown = shown.map_or(0, |s| position(Verification::ALL, &s) as u8 + 1);
        let precise = if matches!(precision, "month" | "day") {
            PRECISE
        } else {
            0
        };
        let entry = Entry {
            sort,
            latest: julian(latest)?.to_julian_day(),
            id: id32(id)?,
            before: u16::try_from(sort - earliest)
                .ok()
                .filter(|&days| days < FAR)
                .unwrap_or(FAR),
            kind: position(EventType::ALL, &kind) as u8,
            flags: shown | precise,
        };
        Some((entry, earliest))
    }

    /// The marker of an id the index does not hold.
    fn absent() -> Entry {
        Entry {
            sort: 0,
            latest: 0,
            id: 0,
            before: 0,
            kind: 0,
            flags: 0,
        }
    }

    /// The entry's place in the timeline as a page cursor names it.
    fn date_key(&self) -> Key {
        let day = |julian: i32| Date::from_julian_day(julian).map(iso_day).unwrap_or_default();
        Key::Date {
            sort: day(self.sort),
            latest: day(self.latest),
            id: i64::from(self.id),
        }
    }
}

/// The events matching a view, ascending in timeline order. A broad view is walked, not
/// copied: at a million events a copy of its entries would be megabytes per request.
enum Matches<'a> {
    /// A slice of the timeline, every entry of it matching.
    Slice(&'a [Entry]),
    /// The entries of a few candidates, sorted.
    Picked(Vec<Entry>),
    /// The entries of a slice of the timeline that pass a test.
    Walked { zone: &'a [Entry], test: Test<'a> },
}

/// What an entry must pass to match: the date range and the candidates, where the view
/// has them.
struct Test<'a> {
    index: &'a ReadIndex,
    from: Option<i32>,
    to: Option<i32>,
    set: Option<RoaringBitmap>,
}

impl Test<'_> {
    fn passes(&self, entry: &Entry) -> bool {
        self.from.is_none_or(|from| entry.latest >= from)
            && self.to.is_none_or(|to| self.index.earliest(entry) <= to)
            && self.set.as_ref().is_none_or(|set| set.contains(entry.id))
    }
}

impl Matches<'_> {
    /// The slice the matches are in, and the test they pass when not all of it matches.
    fn parts(&self) -> (&[Entry], Option<&Test<'_>>) {
        match self {
            Matches::Slice(entries) => (entries, None),
            Matches::Picked(entries) => (entries, None),
            Matches::Walked { zone, test } => (zone, Some(test)),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Entry> {
        let (entries, test) = self.parts();
        entries
            .iter()
            .filter(move |e| test.is_none_or(|test| test.passes(e)))
    }

    fn len(&self) -> usize {
        match self.parts() {
            (entries, None) => entries.len(),
            (_, Some(_)) => self.iter().count(),
        }
    }
}

fn remove_from(bitmaps: &mut HashMap<u32, RoaringBitmap>, key: u32, id: u32) {
    if let Some(bitmap) = bitmaps.get_mut(&key) {
        bitmap.remove(id);
        if bitmap.is_empty() {
            bitmaps.remove(&key);
        }
    }
}

/// The first [`FACET_LIMIT`] values by count, then label (then id, so that equal labels
/// keep one order), as the SQL facets order them; values without a filter value (a
/// country with no ISO code) are left out after the cut, as there.
fn top(counts: Vec<i64>, label: impl Fn(u32) -> (Option<String>, String)) -> Vec<FacetValue> {
    let mut values: Vec<(i64, String, u32, Option<String>)> = counts
        .into_iter()
        .enumerate()
        .filter(|(_, count)| *count > 0)
        .map(|(id, count)| {
            let id = id as u32;
            let (value, label) = label(id);
            (count, label, id, value)
        })
        .collect();
    let limit = FACET_LIMIT as usize;
    let order = |a: &(i64, String, u32, Option<String>), b: &(i64, String, u32, Option<String>)| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    };
    if values.len() > limit {
        values.select_nth_unstable_by(limit, order);
        values.truncate(limit);
    }
    values.sort_unstable_by(order);
    values
        .into_iter()
        .filter_map(|(count, label, _, value)| {
            Some(FacetValue {
                value: value?,
                label,
                count,
            })
        })
        .collect()
}

/// A write of this process between its commit and its update of the index (see
/// [`Db::write_in_flight`]).
pub(super) struct InFlight(std::sync::Arc<SharedIndex>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The index as the server shares it: absent until first built.
#[derive(Debug, Default)]
pub struct SharedIndex {
    index: RwLock<Option<ReadIndex>>,
    building: AtomicBool,
    /// Writes of this process committed or committing whose rows the index has not
    /// taken in yet: while there are some, an index one generation behind is expected.
    in_flight: AtomicI64,
    /// Whether this process keeps an index at all (servers do; commands do not).
    wanted: AtomicBool,
    /// Woken when a build ends, for readers waiting for it, and when the first build
    /// and its summary of the timeline are done.
    built: tokio::sync::Notify,
    /// The first build has ended (built or failed) and summarised the timeline.
    first_done: AtomicBool,
}

/// How long a reader waits for a build under way before SQL answers instead: a build
/// takes about a second per 100,000 events, and SQL's facets over a large collection
/// take longer than that (seconds at a million events), so waiting is the faster answer,
/// and stays under the request's 30 s limit.
const BUILD_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// How long the build waits for its summary of the unfiltered timeline (from the index,
/// milliseconds; from SQL, when a write came in between, it goes on in the background).
const SUMMARY_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

impl Db {
    /// Waits (up to `limit`) until the first build of the read index has ended, built or
    /// failed, and summarised the timeline: a server starts answering then, so that its
    /// first readers get the index's answers.
    pub async fn first_read_index(&self, limit: std::time::Duration) -> bool {
        let wait = async {
            loop {
                let built = self.index.built.notified();
                if self.index.first_done.load(Ordering::SeqCst) {
                    return;
                }
                built.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    /// Builds the read index in the background (once at a time), for a server. Readers
    /// that find it building wait for it (see [`BUILD_WAIT`]); when it lags behind with
    /// no build under way (a write of this process between its commit and its update),
    /// they ask SQL.
    pub fn start_read_index(&self) {
        self.index.wanted.store(true, Ordering::SeqCst);
        if self.index.building.swap(true, Ordering::SeqCst) {
            return;
        }
        let db = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let built = db.build_read_index().await;
            db.index.building.store(false, Ordering::SeqCst);
            db.index.built.notify_waiters();
            // The most visited view, summarised from the index now rather than by its
            // first reader.
            if built.is_ok()
                && let Err(e) = db.summary_within(&TimelineFilter::default(), SUMMARY_WAIT).await
            {
                tracing::warn!("summarising the timeline after building the read index: {e}");
            }
            db.index.first_done.store(true, Ordering::SeqCst);
            db.index.built.notify_waiters();
            match built {
                Ok(events) => tracing::info!(
                    events,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "built the read index"
                ),
                Err(e) if !db.read.is_closed() => tracing::warn!("building the read index: {e}"),
                Err(_) => {}
            }
        });
    }

    /// Builds the read index from the database now and puts it in place; returns how many
    /// published events it holds.
    pub async fn build_read_index(&self) -> Result<usize> {
        self.index.wanted.store(true, Ordering::SeqCst);
        let started = std::time::Instant::now();
        let mut tx = self.read.begin().await?;
        let index = build_all(&mut tx).await?;
        tx.commit().await?;
        let events = index.len();
        let (entries, lists, bitmaps) = index.heap_bytes();
        tracing::info!(
            events,
            entries_mb = entries / 1_000_000,
            lists_mb = lists / 1_000_000,
            bitmaps_mb = bitmaps / 1_000_000,
            "read index size"
        );
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read index: rows read and taken in"
        );
        if let Ok(mut shared) = self.index.index.write()
            && shared
                .as_ref()
                .is_none_or(|old| old.generation <= index.generation)
        {
            *shared = Some(index);
        }
        Ok(events)
    }

    /// Whether this process keeps a read index: a server does (it has readers), a
    /// command does not. Writes hand their rows to the index only then.
    pub(super) fn keeps_read_index(&self) -> bool {
        self.index.wanted.load(Ordering::SeqCst)
    }

    /// To hold while committing a write whose rows will be handed to
    /// [`Db::apply_to_read_index`]: while it lives, an index one generation behind is
    /// expected rather than rebuilt. Dropping it (after the apply, or when the commit
    /// failed or its request was cancelled) ends that.
    pub(super) fn write_in_flight(&self) -> InFlight {
        self.index.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.index.clone())
    }

    /// Takes a committed write's rows into the index, when the index stood at the
    /// generation just before it; otherwise rebuilds it in the background.
    pub(super) fn apply_to_read_index(&self, rows: IndexRows) {
        let applied = match self.index.index.write() {
            Ok(mut shared) => match shared.as_mut() {
                Some(index) if index.generation + 1 == rows.generation => {
                    index.apply(rows);
                    true
                }
                _ => false,
            },
            Err(_) => false,
        };
        if !applied {
            self.start_read_index();
        }
    }

    /// Waits (up to [`BUILD_WAIT`]) for a build of the read index under way to end;
    /// false at once when none is.
    pub(crate) async fn wait_for_read_index_build(&self) -> bool {
        // Registered before the check, so that a build ending in between still wakes it.
        let built = self.index.built.notified();
        if !self.index.building.load(Ordering::SeqCst) {
            return false;
        }
        let _ = tokio::time::timeout(BUILD_WAIT, built).await;
        true
    }

    /// Whether the read index reflects `generation` (so that its answers are worth
    /// preparing, such as a search's matches).
    pub(crate) fn read_index_at(&self, generation: i64) -> bool {
        self.with_read_index(generation, |_| Some(())).is_some()
    }

    /// Runs `answer` on the read index when it reflects `generation`, the database's
    /// current one; None otherwise (and, when it lags behind, starts a rebuild).
    pub(crate) fn with_read_index<T>(
        &self,
        generation: i64,
        answer: impl FnOnce(&ReadIndex) -> Option<T>,
    ) -> Option<T> {
        let shared = self.index.index.read().ok()?;
        match shared.as_ref() {
            Some(index) if index.generation == generation => answer(index),
            Some(index) if index.generation < generation && self.keeps_read_index() => {
                // Behind: a write of this process between its commit and its update
                // (expected), or of another process (rebuild).
                drop(shared);
                if self.index.in_flight.load(Ordering::SeqCst) == 0 {
                    self.start_read_index();
                }
                None
            }
            // Not built: the first build failed (it is tried again) or is under way.
            None if self.keeps_read_index() => {
                drop(shared);
                self.start_read_index();
                None
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists_of(n: u32, big: u32) -> EventLists {
        EventLists {
            countries: (1..=n).collect(),
            actors: (0..n).map(|i| (big + i, i % 2 == 0)).collect(),
            tags: vec![big],
            outlets: Vec::new(),
        }
    }

    fn read_back(lists: &Lists, id: u32) -> EventLists {
        let got = lists.get(id).expect("a record");
        EventLists {
            countries: got.countries.collect(),
            actors: got.actors.map(|a| (a >> 1, a & 1 == 1)).collect(),
            tags: got.tags.collect(),
            outlets: got.outlets.collect(),
        }
    }

    #[test]
    fn lists_keep_small_large_and_long_values() {
        let mut lists = Lists::default();
        // Short lists of one-word values; long lists (over 15 words, so their count
        // follows the header) of values taking two and three words.
        let cases = [
            (1, lists_of(3, 7)),
            (2, lists_of(40, 40_000)),
            (5, lists_of(16, u32::MAX >> 2)),
        ];
        for (id, case) in &cases {
            lists.set(*id, case);
        }
        for (id, case) in &cases {
            let got = read_back(&lists, *id);
            assert_eq!(got.countries, case.countries, "event {id}");
            assert_eq!(got.actors, case.actors, "event {id}");
            assert_eq!(got.tags, case.tags, "event {id}");
            assert!(got.outlets.is_empty(), "event {id}");
        }
        assert!(lists.get(3).is_none() && lists.get(99).is_none());
    }

    #[test]
    fn rewritten_lists_are_compacted_without_losing_the_others() {
        let mut lists = Lists::default();
        for id in 1..=200 {
            lists.set(id, &lists_of(id % 20, id * 1000));
        }
        for round in 0..10 {
            for id in (1..=200).step_by(2) {
                lists.set(id, &lists_of(round, id));
            }
        }
        assert!(lists.garbage * 2 <= lists.arena.len(), "compacted along the way");
        for id in 1..=200 {
            let expected = if id % 2 == 1 {
                lists_of(9, id)
            } else {
                lists_of(id % 20, id * 1000)
            };
            let got = read_back(&lists, id);
            assert_eq!(
                (got.countries, got.actors, got.tags),
                (expected.countries, expected.actors, expected.tags)
            );
        }
        lists.remove(4);
        assert!(lists.get(4).is_none());
    }

    #[test]
    fn an_entry_is_sixteen_bytes_and_keeps_a_far_earliest_day_aside() {
        assert_eq!(std::mem::size_of::<Entry>(), 16);
        let (entry, earliest) = Entry::read(
            9,
            "2023-05-31",
            "2023-05-31",
            "1000-01-01",
            "month",
            EventType::ALL[0],
            Some(Verification::ALL[1]),
        )
        .expect("an entry");
        assert_eq!(entry.before, FAR);
        assert!(entry.precise() && entry.shown() == 2);
        let mut index = ReadIndex::empty();
        index.insert(entry, earliest, &EventLists::default(), false, None);
        assert_eq!(index.earliest(&entry), earliest);
        index.remove(9, true);
        assert!(index.far_earliest.is_empty());
        let (near, earliest) = Entry::read(
            10,
            "2023-01-01",
            "2023-12-31",
            "2023-01-01",
            "year",
            EventType::ALL[0],
            None,
        )
        .expect("an entry");
        assert_eq!((near.before, near.precise(), near.shown()), (0, false, 0));
        assert_eq!(index.earliest(&near), earliest);
    }

    #[test]
    fn months_of_days_in_order_and_out_of_it() {
        let mut month_of = MonthOf::default();
        let day = |text: &str| julian(text).expect("a day").to_julian_day();
        for (text, month) in [
            ("2024-02-01", 2024 * 12 + 1),
            ("2024-02-29", 2024 * 12 + 1),
            ("2024-03-01", 2024 * 12 + 2),
            ("2023-12-31", 2023 * 12 + 11),
            ("2024-01-01", 2024 * 12),
        ] {
            assert_eq!(month_of.of(day(text)), month, "{text}");
        }
    }
}

//! Rows derived from events, for search and fast filters: the full-text search
//! documents, the countries each event involves, and the R*Tree of date spans (see
//! migrations 0002 and 0003). Every write of an event, of what it cites or of who took
//! part goes through [`refresh`] in the same transaction, so the derived rows never
//! disagree with what they summarise. A generation counter is bumped at the same time,
//! which tells caches their contents are stale.

use std::cell::Cell;
use std::sync::atomic::Ordering;

use sqlx::SqliteConnection;

use super::Db;
use crate::domain::search::{MATCH_END, MATCH_START};
use crate::error::{Error, Result};
use crate::markdown::to_plain_text;

/// The version of the derived rows this build writes. Change it whenever what they hold
/// changes: the next start rebuilds them once.
const DERIVED_VERSION: &str = "2";

/// Rewrites the derived rows of the given events (all events when `ids` is None) inside
/// the caller's transaction, and bumps the generation.
pub(super) async fn refresh(conn: &mut SqliteConnection, ids: Option<&[i64]>) -> Result<()> {
    let started = std::time::Instant::now();
    write_search_documents(conn, ids).await?;
    let searched = started.elapsed();
    let list = match ids {
        Some(ids) => serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?,
        None => String::new(),
    };
    // One statement shape for one event and for all: `?1 = ''` selects everything.
    let scope = "(?1 = '' OR event_id IN (SELECT value FROM json_each(?1)))";
    sqlx::query(&format!("DELETE FROM event_countries WHERE {scope}"))
        .bind(&list)
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!(
        "INSERT OR IGNORE INTO event_countries (country_id, event_id) \
         SELECT ea.actor_id, ea.event_id FROM event_actors ea JOIN actors a ON a.id = ea.actor_id \
          WHERE a.kind = 'country' AND {scope} \
         UNION SELECT location_country_id, id AS event_id FROM events \
          WHERE location_country_id IS NOT NULL AND {}",
        scope.replace("event_id IN", "id IN")
    ))
    .bind(&list)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "DELETE FROM event_spans WHERE {}",
        scope.replace("event_id IN", "id IN")
    ))
    .bind(&list)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO event_spans (id, earliest, latest) \
         SELECT id, CAST(replace(date_earliest, '-', '') AS INTEGER), CAST(replace(date_latest, '-', '') AS INTEGER) \
           FROM events WHERE {}",
        scope.replace("event_id IN", "id IN")
    ))
    .bind(&list)
    .execute(&mut *conn)
    .await?;
    let filtered = started.elapsed();
    super::provenance::refresh(conn, ids).await?;
    tracing::debug!(
        events = ids.map(<[i64]>::len),
        search_ms = searched.as_millis() as u64,
        filters_ms = (filtered - searched).as_millis() as u64,
        provenance_ms = (started.elapsed() - filtered).as_millis() as u64,
        "derived rows written"
    );
    sqlx::query("UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The search document of one event, as stored: read from a JSON array in
/// [`DOCUMENT_SELECT`]'s column order.
#[derive(serde::Deserialize)]
struct Document {
    id: i64,
    title: String,
    summary: String,
    names: Option<String>,
    passages: Option<String>,
}

/// Selects the documents of `events e` (id, title, summary, names, passages); callers
/// add a WHERE clause.
const DOCUMENT_SELECT: &str = "SELECT e.id, e.title, e.summary, \
       (SELECT group_concat(n, ' · ') FROM ( \
           SELECT a.name AS n FROM event_actors ea JOIN actors a ON a.id = ea.actor_id \
            WHERE ea.event_id = e.id \
           UNION SELECT al.alias FROM event_actors ea JOIN actor_aliases al ON al.actor_id = ea.actor_id \
            WHERE ea.event_id = e.id \
           UNION SELECT a.name FROM actors a WHERE a.id = e.location_country_id \
           UNION SELECT al.alias FROM actor_aliases al WHERE al.actor_id = e.location_country_id)) AS names, \
       (SELECT group_concat(c.passage, ' … ') FROM citations c \
         WHERE c.event_id = e.id AND c.passage <> '') AS passages \
     FROM events e";

/// Search documents written per statement batch: a load's documents are read and
/// written this many at a time, so that a million of them never sit in memory at once.
const DOCUMENT_CHUNK: usize = 4096;

/// From this many documents on, FTS5 gathers their terms in a larger buffer before it
/// writes them as a segment of its index ([`BULK_HASH_SIZE`]), does not merge segments
/// after every insert, and merges them once at the end: with its 1 MB default buffer and
/// merges inside one huge transaction, a million-event load took most of an hour.
const MANY_DOCUMENTS: usize = 10_000;

/// FTS5's buffer of pending terms for a load of [`MANY_DOCUMENTS`] or more, in bytes (its
/// default, restored after, is 1 MB).
const BULK_HASH_SIZE: i64 = 64 * 1024 * 1024;

/// Rewrites the search documents of the given events (all events when `ids` is None).
async fn write_search_documents(conn: &mut SqliteConnection, ids: Option<&[i64]>) -> Result<()> {
    // All deletions first, then the documents in ascending rowid order: FTS5 writes its
    // buffer of pending terms out as a new segment whenever a deletion follows an insert
    // or a rowid is not above the last one.
    let ids: Vec<i64> = match ids {
        Some(ids) => {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let list = serde_json::to_string(&ids).map_err(|e| Error::Internal(e.to_string()))?;
            sqlx::query("DELETE FROM event_search WHERE rowid IN (SELECT value FROM json_each(?))")
                .bind(&list)
                .execute(&mut *conn)
                .await?;
            ids
        }
        None => {
            sqlx::query("DELETE FROM event_search")
                .execute(&mut *conn)
                .await?;
            sqlx::query_scalar("SELECT id FROM events ORDER BY id")
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let many = ids.len() >= MANY_DOCUMENTS;
    if many {
        for (option, value) in [("automerge", 0), ("hashsize", BULK_HASH_SIZE)] {
            sqlx::query("INSERT INTO event_search (event_search, rank) VALUES (?1, ?2)")
                .bind(option)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
    }
    let mut spent = Spent::default();
    for chunk in ids.chunks(DOCUMENT_CHUNK) {
        insert_documents_of(conn, chunk, &mut spent).await?;
    }
    let merging = std::time::Instant::now();
    if many {
        // FTS5's defaults back, then one merge of everything written.
        for (option, value) in [("automerge", 4), ("hashsize", 1024 * 1024)] {
            sqlx::query("INSERT INTO event_search (event_search, rank) VALUES (?1, ?2)")
                .bind(option)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("INSERT INTO event_search (event_search) VALUES ('optimize')")
            .execute(&mut *conn)
            .await?;
    }
    tracing::debug!(
        documents = ids.len(),
        read_ms = spent.read.as_millis() as u64,
        text_ms = spent.text.as_millis() as u64,
        insert_ms = spent.insert.as_millis() as u64,
        merge_ms = merging.elapsed().as_millis() as u64,
        "search documents written"
    );
    Ok(())
}

/// Where writing search documents spends its time, for the debug log.
#[derive(Default)]
struct Spent {
    /// Reading the documents' parts from SQL.
    read: std::time::Duration,
    /// Making them plain, clean text.
    text: std::time::Duration,
    /// Inserting them into FTS5.
    insert: std::time::Duration,
}

/// Writes the search documents of these events (none is in the index).
async fn insert_documents_of(conn: &mut SqliteConnection, ids: &[i64], spent: &mut Spent) -> Result<()> {
    let started = std::time::Instant::now();
    let list = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    // One JSON text for the chunk: sqlx handing over 4,096 rows one at a time was most
    // of this read's time.
    let documents: Vec<Document> = super::bulk::json_rows(
        &mut *conn,
        &format!(
            "SELECT json_group_array(json_array(id, title, summary, names, passages) ORDER BY id) \
               FROM ({DOCUMENT_SELECT} WHERE e.id IN (SELECT value FROM json_each(?1)))"
        ),
        Some(&list),
    )
    .await?;
    let read = std::time::Instant::now();
    spent.read += read - started;
    let documents: Vec<(i64, [String; 4])> = documents
        .iter()
        .map(|document| {
            let texts = [
                clean(&document.title),
                clean(document.names.as_deref().unwrap_or_default()),
                clean(&to_plain_text(&document.summary)),
                clean(document.passages.as_deref().unwrap_or_default()),
            ];
            (document.id, texts)
        })
        .collect();
    let cleaned = std::time::Instant::now();
    spent.text += cleaned - read;
    super::bulk::insert_rows(
        conn,
        "INSERT INTO event_search (rowid, title, names, summary, passages)",
        "",
        5,
        &documents,
        |values, (id, [title, names, summary, passages])| {
            values
                .push_bind(*id)
                .push_bind(title.as_str())
                .push_bind(names.as_str())
                .push_bind(summary.as_str())
                .push_bind(passages.as_str());
        },
    )
    .await?;
    spent.insert += cleaned.elapsed();
    Ok(())
}

/// Stored text without the match markers, so highlights cannot be forged.
fn clean(text: &str) -> String {
    text.replace([MATCH_START, MATCH_END], "")
}

impl Db {
    /// Rebuilds every derived row when they were written by another version of this
    /// code (or never): once after an upgrade, in one transaction.
    pub async fn ensure_derived_rows(&self) -> Result<bool> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'derived_version'")
                .fetch_optional(&self.write)
                .await?;
        if stored.as_deref() == Some(DERIVED_VERSION) {
            return Ok(false);
        }
        let mut tx = self.begin_write().await?;
        refresh(&mut tx, None).await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('derived_version', ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(DERIVED_VERSION)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.wrote();
        Ok(true)
    }

    /// The generation: a number that changes whenever a write changes what readers see.
    /// Within [`Db::one_generation_per_request`] it is read from SQL once per request
    /// and again only after a write of this process's: a page asks for it three or four
    /// times (page cache, page, entries, summary), and each ask was a round trip to an
    /// SQLite thread and back, twice (sqlx tests a connection as the pool takes it back).
    pub async fn generation(&self) -> Result<i64> {
        let writes = self.writes.load(Ordering::Acquire);
        if let Ok(Some((seen_writes, generation))) = SEEN.try_with(Cell::get)
            && seen_writes == writes
        {
            return Ok(generation);
        }
        let generation = read_generation(&mut *self.read.acquire().await?).await?;
        // Outside a request (a background task, a command) there is nothing to keep.
        let _ = SEEN.try_with(|seen| seen.set(Some((writes, generation))));
        Ok(generation)
    }

    /// Runs `request` with the generation read at most once (see [`Db::generation`]),
    /// until this process writes. A write by another process shows from the next
    /// request on: a request then reads as of one moment, as a transaction would.
    pub async fn one_generation_per_request<F: Future>(request: F) -> F::Output {
        SEEN.scope(Cell::new(None), request).await
    }

    /// Counts a committed write that bumped the generation, which ends what requests
    /// under way kept of it.
    pub(super) fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }
}

tokio::task_local! {
    /// The generation the request read, with [`Db::writes`] as it was before.
    static SEEN: Cell<Option<(u64, i64)>>;
}

/// The generation the data on `conn` is at (see [`Db::generation`]).
pub(super) async fn read_generation(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'generation'")
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(0),
    )
}

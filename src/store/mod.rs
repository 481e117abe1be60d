//! All SQL of entente lives below this module, one file per aggregate. Handlers call
//! these functions and never write SQL themselves.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::cache::CacheBudget;
use crate::error::Result;

pub use crate::domain::names::{fold, slugify};

/// Actors, their aliases and their events.
pub mod actors;
/// Consistent copies of the database, checked.
pub mod backup;
/// Many rows in few statements, for loads.
mod bulk;
/// What sources claim: ranks and quantities, read and written.
pub mod claims;
/// Rows derived from events for search and fast filters, kept in step by the store.
pub mod derived;
/// Editors' writes to events, each with its revision.
pub mod editing;
/// Events: the timeline listing and one event with everything it cites.
pub mod events;
/// Datasets in and out: an import written over the database, matched by stable keys;
/// the published collection read whole for an export.
pub mod importing;
/// The filtered timeline: filters become one query with bound parameters.
pub mod listing;
/// Writing whole datasets (the demo data, later imports) in one transaction.
pub mod loader;
/// Outlets as records: kind, country, language, note; renamed with their sources.
pub mod outlets;
/// Each event's sources, independent sources and verification status, derived.
pub mod provenance;
/// The published events in memory, for views nobody asked for yet.
pub mod read_index;
/// Editors' writes to actors and sources, merging actors, deleting events.
pub mod record_edits;
/// The one revision recorder, and reading revisions back.
pub mod revisions;
/// Tags and outlets: their indexes and an outlet's sources.
pub mod subjects;
/// Counts, facets and the histogram of a view, cached per generation.
pub mod summary;
/// The published collection as flat tables, read a page at a time (the Data Package).
pub mod tables;
/// Editors' personal API tokens.
pub mod tokens;
/// Editors' and admins' accounts, and failed sign-ins.
pub mod users;

/// How long a statement waits for a lock another connection or process holds before it
/// gives up (and the request answers 503).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// From this many events on, the database keeps statistics for SQLite's query planner.
/// Those of a smaller collection describe tables about to grow, and a connection keeps a
/// table's row estimate for as long as it lives: FTS5, its index table analyzed at two
/// rows, deleted each segment it had merged by scanning the whole table, and a
/// 300,000-event load merged its search index in 17 s instead of 2. Without statistics
/// the planner takes every table to be large, which suits one that is still small.
const STATISTICS_FROM_EVENTS: i64 = 1_000;

/// The database: a single-connection pool for writes (SQLite allows one writer at a
/// time, so queuing in the pool beats `SQLITE_BUSY`) and a pool sized to the cores for
/// reads, which WAL lets run beside the writer.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) read: SqlitePool,
    pub(crate) write: SqlitePool,
    summaries: std::sync::Arc<summary::SummaryCache>,
    /// Every match of recent searches, best first, per generation (see
    /// [`listing::RankedKeys`]).
    ranked: std::sync::Arc<listing::RankedCache>,
    /// The events recent searches match, as the read index takes them, per generation.
    search_sets: std::sync::Arc<listing::SearchSets>,
    /// This process's committed writes that bumped the generation (see
    /// [`Db::generation`]).
    writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Timeline lines, per generation (see [`listing::EntryCache`]).
    lines: std::sync::Arc<listing::EntryCache>,
    /// Actors' short forms, per generation (see [`actors::ActorRefs`]).
    actor_refs: std::sync::Arc<actors::ActorRefs>,
    /// The filter form's choices, per generation (see [`listing::FilterChoices`]).
    choices: std::sync::Arc<crate::cache::GenerationCache<listing::FilterChoices>>,
    /// The published events in memory (see [`read_index`]), once built.
    index: std::sync::Arc<read_index::SharedIndex>,
    /// How to open a connection of its own, for probing the write lock (`/healthz`)
    /// without taking the writers' connection.
    options: SqliteConnectOptions,
}

impl Db {
    /// Opens (creating when missing) the database file and applies the migrations
    /// embedded in the binary; its caches get the default budget.
    pub async fn open(path: &Path) -> Result<Db> {
        Db::open_with_caches(path, CacheBudget::default()).await
    }

    /// [`Db::open`], its caches given their shares of `budget`.
    pub async fn open_with_caches(path: &Path, budget: CacheBudget) -> Result<Db> {
        let text = path.to_string_lossy();
        if text.trim().is_empty() || text.contains(":memory:") || text.contains("mode=memory") {
            return Err(crate::error::Error::Invalid(format!(
                "“{text}” is not a database file: entente keeps its data, its editors' sessions \
                 and its history in one SQLite file that several connections share. Give the \
                 path of a file (it is created when missing)."
            )));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                crate::error::Error::Internal(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("temp_store", "memory")
            // Reads map the file instead of copying pages through SQLite's page cache.
            .pragma("mmap_size", "1073741824");
        // An embedded connection cannot drop like a network one, so the pools skip the
        // liveness ping that would otherwise cost a round trip to the connection's thread
        // on every acquire.
        // A save waiting for the one write connection longer than this gives up with a
        // 503 (Error::Busy), before the request's own 30 s timeout.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(2 * BUSY_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        let read = SqlitePoolOptions::new()
            .max_connections(cores.max(2) * 2)
            .test_before_acquire(false)
            .connect_with(options.clone().read_only(true))
            .await?;
        let db = Db {
            read,
            write,
            options: options.busy_timeout(Duration::from_millis(250)),
            summaries: std::sync::Arc::new(summary::SummaryCache::new(
                budget.share(summary::CACHE_BYTES),
                summary::Summary::heap_bytes,
            )),
            ranked: std::sync::Arc::new(listing::RankedCache::new(
                budget.share(listing::RANKED_BYTES),
                listing::ranked_bytes,
            )),
            search_sets: std::sync::Arc::new(listing::SearchSets::new(
                budget.share(listing::SEARCH_SET_BYTES),
                roaring::RoaringBitmap::serialized_size,
            )),
            writes: std::sync::Arc::default(),
            lines: std::sync::Arc::new(listing::EntryCache::new(
                budget.share(listing::ENTRY_CACHE_BYTES),
                events::TimelineEntry::heap_bytes,
            )),
            actor_refs: std::sync::Arc::new(actors::ActorRefs::new(
                budget.share(actors::ACTOR_REFS_BYTES),
                actors::actor_ref_bytes,
            )),
            choices: std::sync::Arc::new(crate::cache::GenerationCache::new(2, |_| 1)),
            index: std::sync::Arc::default(),
        };
        let read = claims::read_stored_quantities(&db.write).await?;
        if read > 0 {
            tracing::info!("read {read} stored claims as quantities");
        }
        if db.ensure_derived_rows().await? {
            tracing::info!("rebuilt the search index and the filter tables");
        }
        if db.ensure_provenance_rows().await? {
            tracing::info!("weighed every event's sources");
        }
        // Statistics refreshed where missing or stale (cheap when they are current), so
        // that queries pick their indexes well from the start.
        db.refresh_statistics(false).await?;
        Ok(db)
    }

    /// The store of editors' sessions, in the same database file (its table is created
    /// by the store itself). Expired sessions are deleted every hour in the background.
    pub async fn session_store(&self) -> Result<tower_sessions_sqlx_store::SqliteStore> {
        use tower_sessions::ExpiredDeletion;
        let store = tower_sessions_sqlx_store::SqliteStore::new(self.write.clone());
        store
            .migrate()
            .await
            .map_err(|e| crate::error::Error::Internal(format!("cannot create the session table: {e}")))?;
        let cleaner = store.clone();
        tokio::spawn(async move {
            if let Err(e) = cleaner
                .continuously_delete_expired(std::time::Duration::from_secs(3600))
                .await
            {
                tracing::warn!("stopped deleting expired sessions: {e}");
            }
        });
        Ok(store)
    }

    /// Starts a write transaction that holds SQLite's write lock from its first statement
    /// (`BEGIN IMMEDIATE`): a transaction that reads before it writes cannot then fail on
    /// another process's commit, and waits for the lock (up to the busy timeout) instead.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Whether a write could start now: another process holding the database's write
    /// lock (a backup tool, `sqlite3` with an open transaction) makes saves wait and then
    /// fail, which `/healthz` reports. The probe opens a connection of its own (so it
    /// never queues behind or holds up the writers) and closes it, which ends its
    /// transaction whatever happens to the request.
    pub async fn writable(&self) -> Result<()> {
        use sqlx::Connection;
        let mut probe = sqlx::SqliteConnection::connect_with(&self.options).await?;
        let began = probe.begin_with("BEGIN IMMEDIATE").await.map(drop);
        probe.close().await?;
        began.map_err(crate::error::Error::from)
    }

    /// The key that signs the tokens of forms sent without a session, made once and kept
    /// in the database, so that every server on the file shares it.
    pub async fn signing_key(&self) -> Result<crate::auth::SigningKey> {
        sqlx::query("INSERT OR IGNORE INTO settings (key, value) VALUES ('signing_key', ?1)")
            .bind(format!(
                "{}{}",
                crate::auth::new_csrf_token()?,
                crate::auth::new_csrf_token()?
            ))
            .execute(&self.write)
            .await?;
        let stored: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'signing_key'")
            .fetch_one(&self.write)
            .await?;
        crate::auth::SigningKey::from_hex(&stored)
    }

    /// Whether the database answers; used by `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Number of events of any status; zero means a fresh database.
    pub async fn event_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.read)
            .await?)
    }

    /// Refreshes the query planner's statistics and merges the search index, after a
    /// large load.
    pub async fn optimize(&self) -> Result<()> {
        let started = std::time::Instant::now();
        sqlx::query("INSERT INTO event_search (event_search) VALUES ('optimize')")
            .execute(&self.write)
            .await?;
        let merged = std::time::Instant::now();
        self.refresh_statistics(true).await?;
        let analyzed = std::time::Instant::now();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.write)
            .await?;
        tracing::debug!(
            merge_ms = (merged - started).as_millis() as u64,
            statistics_ms = (analyzed - merged).as_millis() as u64,
            checkpoint_ms = analyzed.elapsed().as_millis() as u64,
            "optimized"
        );
        Ok(())
    }

    /// Refreshes the query planner's statistics of a collection large enough to need
    /// them (see [`STATISTICS_FROM_EVENTS`]): all of them when `full` (after a load), else
    /// those missing or stale. A smaller collection's statistics are deleted; the planner
    /// does without them from the next connection on.
    async fn refresh_statistics(&self, full: bool) -> Result<()> {
        let events: i64 = sqlx::query_scalar("SELECT count(*) FROM (SELECT 1 FROM events LIMIT ?)")
            .bind(STATISTICS_FROM_EVENTS)
            .fetch_one(&self.write)
            .await?;
        if events >= STATISTICS_FROM_EVENTS {
            let analyze = if full {
                "ANALYZE"
            } else {
                "PRAGMA optimize = 0x10002"
            };
            sqlx::query(analyze).execute(&self.write).await?;
            return Ok(());
        }
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_schema WHERE name IN ('sqlite_stat1', 'sqlite_stat4')",
        )
        .fetch_all(&self.write)
        .await?;
        for table in tables {
            // One of the two names above; identifiers cannot be bound.
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// Closes both pools, letting in-flight queries finish.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// The actor `id` is now: itself, the actor it was merged into, or none if deleted.
pub(super) async fn live_actor(conn: &mut sqlx::SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM actors WHERE id = coalesce((SELECT new_id FROM actor_redirects WHERE old_id = ?1), ?1)",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A date the database holds (written validated, so a refusal means damaged data).
pub(super) fn stored_date(text: &str, what: &str) -> Result<crate::dates::EventDate> {
    crate::dates::EventDate::parse(text)
        .map_err(|e| crate::error::Error::Internal(format!("{what}: stored date {text}: {e}")))
}

/// A link to an actor as lists show it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct ActorRef {
    pub id: i64,
    pub kind: crate::domain::ActorKind,
    pub name: String,
    pub slug: String,
}

impl ActorRef {
    /// The actor's permalink.
    pub fn url(&self) -> String {
        crate::paths::actor(self.id, &self.slug)
    }
}

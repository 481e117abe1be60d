//! Rows derived from events, for search and fast filters: the full-text search
//! documents, the countries each event involves, and the R*Tree of date spans (see
//! migrations 0002 and 0003). Every write of an event, of what it cites or of who took
//! part goes through [`refresh`] in the same transaction, so the derived rows never
//! disagree with what they summarise. A generation counter is bumped at the same time,
//! which tells caches their contents are stale.

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
    write_search_documents(conn, ids).await?;
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
    super::provenance::refresh(conn, ids).await?;
    sqlx::query("UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The search document of one event, as stored.
#[derive(sqlx::FromRow)]
struct Document {
    id: i64,
    title: String,
    names: Option<String>,
    summary: String,
    passages: Option<String>,
}

/// Selects the documents of `events e`; callers add a WHERE clause.
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

/// Rewrites the search documents of the given events (all events when `ids` is None).
async fn write_search_documents(conn: &mut SqliteConnection, ids: Option<&[i64]>) -> Result<()> {
    let documents: Vec<Document> = match ids {
        Some(ids) => {
            let list = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
            sqlx::query("DELETE FROM event_search WHERE rowid IN (SELECT value FROM json_each(?))")
                .bind(&list)
                .execute(&mut *conn)
                .await?;
            sqlx::query_as(&format!(
                "{DOCUMENT_SELECT} WHERE e.id IN (SELECT value FROM json_each(?))"
            ))
            .bind(&list)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query("DELETE FROM event_search")
                .execute(&mut *conn)
                .await?;
            sqlx::query_as(DOCUMENT_SELECT).fetch_all(&mut *conn).await?
        }
    };
    for document in documents {
        sqlx::query(
            "INSERT INTO event_search (rowid, title, names, summary, passages) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(document.id)
        .bind(clean(&document.title))
        .bind(clean(document.names.as_deref().unwrap_or_default()))
        .bind(clean(&to_plain_text(&document.summary)))
        .bind(clean(document.passages.as_deref().unwrap_or_default()))
        .execute(&mut *conn)
        .await?;
    }
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
        Ok(true)
    }

    /// The generation: a number that changes whenever a write changes what readers see.
    pub async fn generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'generation'")
                .fetch_optional(&self.read)
                .await?
                .unwrap_or(0),
        )
    }
}

//! Each event's provenance summary, derived like the search rows and kept in step by
//! [`super::derived::refresh`]: how many sources it cites, how many are independent,
//! the verification status they give ([`crate::domain::provenance::weigh`]), whether
//! some claim is ranked alternative, and the status readers see (an editor's override,
//! else the derived one). Timeline entries, filters and facets read these rows.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use super::Db;
use super::bulk::json_rows;
use crate::domain::provenance::{CitedSource, weigh};
use crate::domain::{OutletKind, Rank, Verification};
use crate::error::{Error, Result};

/// The version of the rules these rows follow. Change it when `weigh` changes: the next
/// start recomputes every row once.
const PROVENANCE_VERSION: &str = "1";

/// The longest derived-from chain followed (the store refuses cycles; this is a guard).
const MAX_CHAIN: usize = 64;

/// A citation as verification reads it: event, citation, source, whether the source
/// dates the event, that date's rank, and the source's outlet's kind and country.
type CitationRow = (i64, i64, i64, Dated, Rank, Option<OutletKind>, Option<i64>);

/// Whether the source dates the event, as SQLite's JSON gives a truth value (0 or 1).
type Dated = i64;

/// Events whose rows are read and written at once: each statement's rows come as one
/// JSON text (see [`json_rows`]), which stays a few megabytes.
const CHUNK: usize = 65_536;

/// Rewrites the provenance rows of the given events (all when `ids` is None).
pub(super) async fn refresh(conn: &mut SqliteConnection, ids: Option<&[i64]>) -> Result<()> {
    let all: Vec<i64>;
    let ids = match ids {
        Some(ids) => ids,
        None => {
            all = json_rows(&mut *conn, "SELECT json_group_array(id) FROM events", None).await?;
            &all
        }
    };
    for chunk in ids.chunks(CHUNK) {
        refresh_events(conn, chunk).await?;
    }
    Ok(())
}

/// Rewrites the provenance rows of these events.
async fn refresh_events(conn: &mut SqliteConnection, ids: &[i64]) -> Result<()> {
    let list = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let scope = |column: &str| format!("{column} IN (SELECT value FROM json_each(?1))");
    let events: Vec<(i64, Option<Verification>)> = json_rows(
        &mut *conn,
        &format!(
            "SELECT json_group_array(json_array(id, verification)) FROM events WHERE {}",
            scope("id")
        ),
        Some(&list),
    )
    .await?;
    let cited: Vec<CitationRow> = json_rows(
        &mut *conn,
        &format!(
            "SELECT json_group_array(json_array(c.event_id, c.id, c.source_id, \
                    c.claimed_date_edtf IS NOT NULL, c.claimed_date_rank, o.kind, o.country_id)) \
               FROM citations c JOIN sources s ON s.id = c.source_id LEFT JOIN outlets o ON o.name = s.outlet \
              WHERE {}",
            scope("c.event_id")
        ),
        Some(&list),
    )
    .await?;
    let parents: HashMap<i64, i64> = json_rows::<(i64, i64)>(
        &mut *conn,
        &format!(
            "WITH RECURSIVE up (id) AS ( \
                 SELECT DISTINCT source_id FROM citations WHERE {} \
                 UNION SELECT s.derived_from_id FROM sources s JOIN up ON s.id = up.id \
                  WHERE s.derived_from_id IS NOT NULL) \
             SELECT json_group_array(json_array(s.id, s.derived_from_id)) FROM sources s \
              WHERE s.id IN (SELECT id FROM up) AND s.derived_from_id IS NOT NULL",
            scope("event_id")
        ),
        Some(&list),
    )
    .await?
    .into_iter()
    .collect();
    let mut claims: HashMap<i64, Vec<(String, Rank)>> = HashMap::new();
    let rows: Vec<(i64, String, Rank)> = json_rows(
        &mut *conn,
        &format!(
            "SELECT json_group_array(json_array(cl.citation_id, cl.topic, cl.rank)) \
               FROM claims cl JOIN citations c ON c.id = cl.citation_id WHERE {}",
            scope("c.event_id")
        ),
        Some(&list),
    )
    .await?;
    for (citation, topic, rank) in rows {
        claims
            .entry(citation)
            .or_default()
            .push((crate::domain::names::fold(&topic), rank));
    }
    let mut participating: HashMap<i64, Vec<i64>> = HashMap::new();
    let rows: Vec<(i64, i64)> = json_rows(
        &mut *conn,
        &format!(
            "SELECT json_group_array(json_array(ea.event_id, \
                    CASE WHEN a.kind = 'country' THEN a.id ELSE a.country_id END)) \
               FROM event_actors ea JOIN actors a ON a.id = ea.actor_id \
              WHERE {} AND (a.kind = 'country' OR a.country_id IS NOT NULL)",
            scope("ea.event_id")
        ),
        Some(&list),
    )
    .await?;
    for (event, country) in rows {
        participating.entry(event).or_default().push(country);
    }
    let root = |mut id: i64| {
        for _ in 0..MAX_CHAIN {
            match parents.get(&id) {
                Some(&parent) => id = parent,
                None => break,
            }
        }
        id
    };
    let mut by_event: HashMap<i64, (usize, Vec<CitedSource>)> = HashMap::new();
    let mut distinct_sources: HashMap<i64, Vec<i64>> = HashMap::new();
    for (event, citation, source, dated, date_rank, kind, country) in cited {
        distinct_sources.entry(event).or_default().push(source);
        let entry = by_event.entry(event).or_default();
        entry.0 += 1;
        entry.1.push(CitedSource {
            root: root(source),
            official_for: country.filter(|_| kind == Some(OutletKind::Official)),
            date_rank: (dated != 0).then_some(date_rank),
            claims: claims.remove(&citation).unwrap_or_default(),
        });
    }
    sqlx::query(&format!(
        "DELETE FROM event_provenance WHERE {}",
        scope("event_id")
    ))
    .bind(&list)
    .execute(&mut *conn)
    .await?;
    let mut rows = Vec::with_capacity(events.len());
    for (event, overridden) in events {
        let cited = by_event
            .remove(&event)
            .map(|(_, cited)| cited)
            .unwrap_or_default();
        let weighed = weigh(&cited, participating.get(&event).map_or(&[], Vec::as_slice));
        let mut sources = distinct_sources.remove(&event).unwrap_or_default();
        sources.sort_unstable();
        sources.dedup();
        rows.push((event, sources.len() as i64, weighed, overridden));
    }
    super::bulk::insert_rows(
        conn,
        "INSERT INTO event_provenance (event_id, sources, independent, verification, alternatives, shown)",
        "",
        6,
        &rows,
        |values, (event, sources, weighed, overridden)| {
            values
                .push_bind(*event)
                .push_bind(*sources)
                .push_bind(weighed.independent as i64)
                .push_bind(weighed.verification)
                .push_bind(weighed.alternatives)
                .push_bind(overridden.unwrap_or(weighed.verification));
        },
    )
    .await?;
    Ok(())
}

impl Db {
    /// Recomputes every event's provenance row when the rules changed since (or the
    /// rows were never computed): once after an upgrade.
    pub async fn ensure_provenance_rows(&self) -> Result<bool> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'provenance_version'")
                .fetch_optional(&self.write)
                .await?;
        if stored.as_deref() == Some(PROVENANCE_VERSION) {
            return Ok(false);
        }
        let mut tx = self.begin_write().await?;
        refresh(&mut tx, None).await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('provenance_version', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(PROVENANCE_VERSION)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.wrote();
        Ok(true)
    }
}

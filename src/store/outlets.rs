//! Outlets as records: what kind of publisher each is, its country, language and a note,
//! edited with revisions like actors and sources. A source names its outlet by name
//! (`sources.outlet`); migration 0015's triggers give every such name a record, and a
//! rename here renames the outlet on its sources in the same transaction.

use sqlx::SqliteConnection;

use super::Db;
use super::editing::Saved;
use super::loader::Loader;
use super::revisions::{self, Change, version_of};
use crate::domain::{Entity, Outlet, OutletKind, RevisionAction};
use crate::error::{Error, OnConstraint, Result};

/// An outlet's record with its id and version.
#[derive(Debug, Clone)]
pub struct OutletRecord {
    pub id: i64,
    pub outlet: Outlet,
    pub version: i64,
}

type OutletRow = (
    i64,
    String,
    OutletKind,
    Option<i64>,
    Option<String>,
    String,
    String,
    i64,
);

const OUTLET_SELECT: &str = "SELECT o.id, o.name, o.kind, o.country_id, c.name, o.language, o.note, o.version \
     FROM outlets o LEFT JOIN actors c ON c.id = o.country_id";

fn record_of((id, name, kind, country_id, country, language, note, version): OutletRow) -> OutletRecord {
    OutletRecord {
        id,
        outlet: Outlet {
            name,
            kind,
            country_id,
            country,
            language,
            note,
        },
        version,
    }
}

/// Outlet `id` and its version, as it stands in this transaction (for revisions).
pub(super) async fn outlet(conn: &mut SqliteConnection, id: i64) -> Result<Option<(Outlet, i64)>> {
    let row: Option<OutletRow> = sqlx::query_as(&format!("{OUTLET_SELECT} WHERE o.id = ?1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(record_of).map(|r| (r.outlet, r.version)))
}

impl Db {
    /// The outlet record named `name` (as sources name it).
    pub async fn outlet_named(&self, name: &str) -> Result<Option<OutletRecord>> {
        let row: Option<OutletRow> = sqlx::query_as(&format!("{OUTLET_SELECT} WHERE o.name = ?1"))
            .bind(name)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(record_of))
    }

    /// The name now of an outlet once named `old_name`, if it was renamed.
    pub async fn outlet_renamed(&self, old_name: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT o.name FROM outlet_redirects r JOIN outlets o ON o.id = r.outlet_id WHERE r.old_name = ?1",
        )
        .bind(old_name)
        .fetch_optional(&self.read)
        .await?)
    }

    /// Outlet `id`'s record.
    pub async fn outlet_record(&self, id: i64) -> Result<Option<OutletRecord>> {
        let row: Option<OutletRow> = sqlx::query_as(&format!("{OUTLET_SELECT} WHERE o.id = ?1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(record_of))
    }

    /// Every outlet record by name, for indexes and filters.
    pub async fn outlet_records(&self) -> Result<Vec<OutletRecord>> {
        let rows: Vec<OutletRow> = sqlx::query_as(&format!("{OUTLET_SELECT} ORDER BY o.name COLLATE NOCASE"))
            .fetch_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(record_of).collect())
    }

    /// An editor's save of outlet `id` at `expected_version`.
    pub async fn update_outlet(
        &self,
        id: i64,
        expected_version: i64,
        fields: &Outlet,
        user_id: i64,
        summary: &str,
    ) -> Result<Saved> {
        self.save_outlet(
            id,
            expected_version,
            fields,
            Change::by(user_id, RevisionAction::Edit, summary),
        )
        .await
    }

    /// Brings back the content of an earlier version of outlet `id`, as a new version.
    pub async fn revert_outlet(
        &self,
        id: i64,
        expected_version: i64,
        from_version: i64,
        user_id: i64,
    ) -> Result<Saved> {
        let mut conn = self.read.acquire().await?;
        let current = version_of(&mut conn, Entity::Outlet, id).await?;
        if current != expected_version {
            return Ok(Saved::Conflict {
                current_version: current,
            });
        }
        let mut record: Outlet = revisions::stored(&mut conn, id, from_version).await?;
        // A country deleted since is left out rather than refused.
        if let Some(country) = record.country_id {
            record.country_id = super::live_actor(&mut conn, country).await?;
        }
        drop(conn);
        let summary = format!("Version {from_version} brought back");
        self.save_outlet(
            id,
            expected_version,
            &record,
            Change::by(user_id, RevisionAction::Revert, &summary),
        )
        .await
    }

    /// The one write path of outlet saves and reverts (see [`write_outlet`]).
    async fn save_outlet(
        &self,
        id: i64,
        expected_version: i64,
        fields: &Outlet,
        change: Change<'_>,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        let saved = write_outlet(&mut loader, id, expected_version, fields, change).await?;
        loader.commit_saved(saved).await
    }
}

/// Writes an outlet's fields at the version the form was loaded from (else a conflict),
/// carries a rename to the outlet's sources (the old name kept as a redirect), and
/// records a revision (with a baseline kept first): the one write path of outlet form
/// saves, reverts and imports.
pub(super) async fn write_outlet(
    loader: &mut Loader,
    id: i64,
    expected_version: i64,
    fields: &Outlet,
    change: Change<'_>,
) -> Result<Saved> {
    let current = version_of(&mut loader.tx, Entity::Outlet, id).await?;
    if current != expected_version {
        return Ok(Saved::Conflict {
            current_version: current,
        });
    }
    revisions::record_baseline(&mut loader.tx, Entity::Outlet, id).await?;
    let old_name: String = sqlx::query_scalar("SELECT name FROM outlets WHERE id = ?1")
        .bind(id)
        .fetch_one(&mut *loader.tx)
        .await?;
    let name = fields.name.trim();
    sqlx::query(
        "UPDATE outlets SET name = ?2, kind = ?3, country_id = ?4, language = ?5, note = ?6, \
                version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
          WHERE id = ?1 AND version = ?7",
    )
    .bind(id)
    .bind(name)
    .bind(fields.kind)
    .bind(fields.country_id)
    .bind(fields.language.trim())
    .bind(fields.note.trim())
    .bind(expected_version)
    .execute(&mut *loader.tx)
    .await
    .map_err(Error::from)
    .on_unique("outlets.name", || {
        format!("Another outlet is named “{name}” already; outlets are told apart by name.")
    })
    .on_foreign_key(|| "The country chosen was merged or deleted meanwhile; choose it again.".to_owned())?;
    if name != old_name {
        // The old name's address leads here; a name taken back is no redirect.
        sqlx::query("DELETE FROM outlet_redirects WHERE old_name = ?1")
            .bind(name)
            .execute(&mut *loader.tx)
            .await?;
        sqlx::query("INSERT OR REPLACE INTO outlet_redirects (old_name, outlet_id) VALUES (?1, ?2)")
            .bind(&old_name)
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        sqlx::query("UPDATE sources SET outlet = ?2 WHERE outlet = ?1")
            .bind(&old_name)
            .bind(name)
            .execute(&mut *loader.tx)
            .await?;
    }
    // Its kind and country weigh in the verification of the events citing it; its name
    // shows on them.
    let events: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT c.event_id FROM citations c JOIN sources s ON s.id = c.source_id WHERE s.outlet = ?1",
    )
    .bind(name)
    .fetch_all(&mut *loader.tx)
    .await?;
    loader.events.extend(events);
    revisions::record(&mut loader.tx, Entity::Outlet, id, change).await?;
    Ok(Saved::Saved {
        version: expected_version + 1,
    })
}

/// The name an outlet has now, for a name a source gives: a name the outlet had before
/// a rename (a form loaded before it, an old dataset) is its name now, so that the
/// source stays with its outlet.
pub(super) async fn current_name(conn: &mut SqliteConnection, name: &str) -> Result<String> {
    let renamed: Option<String> = sqlx::query_scalar(
        "SELECT o.name FROM outlet_redirects r JOIN outlets o ON o.id = r.outlet_id \
          WHERE r.old_name = ?1 AND NOT EXISTS (SELECT 1 FROM outlets WHERE name = ?1)",
    )
    .bind(name.trim())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(renamed.unwrap_or_else(|| name.trim().to_owned()))
}

/// Whether an outlet record says nothing yet (as the sources' triggers create it).
pub fn undescribed(outlet: &Outlet) -> bool {
    outlet.kind == OutletKind::Unidentified
        && outlet.country_id.is_none()
        && outlet.language.is_empty()
        && outlet.note.is_empty()
}

impl Loader {
    /// Outlet `name`'s record as this transaction sees it.
    pub async fn outlet_named(&mut self, name: &str) -> Result<Option<OutletRecord>> {
        let row: Option<OutletRow> = sqlx::query_as(&format!("{OUTLET_SELECT} WHERE o.name = ?1"))
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.map(record_of))
    }
}

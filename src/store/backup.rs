//! Backups: a consistent copy of the whole database, made while the server runs and
//! writes. `VACUUM INTO` reads one snapshot of the database (writers go on beside it,
//! WAL lets them) and writes it compacted into a new file; the copy is then opened on
//! its own and checked with `PRAGMA integrity_check` before it is reported.

use std::path::Path;

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use super::Db;
use crate::error::{Error, Result};

/// What a backup holds, counted in the copy itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupReport {
    pub events: i64,
    pub revisions: i64,
}

impl Db {
    /// Writes a consistent copy of the database to `path` (which must not exist) and
    /// checks it; a copy that fails its check is removed and the failure reported.
    pub async fn backup_into(&self, path: &Path) -> Result<BackupReport> {
        if path.exists() {
            return Err(Error::Invalid(format!(
                "{} exists already: give the path of a new file, so that no backup is overwritten.",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| Error::Invalid(format!("{} is not a path SQLite can take", path.display())))?;
        sqlx::query("VACUUM INTO ?1")
            .bind(target)
            .execute(&self.read)
            .await?;
        match check(path).await {
            Ok(report) => Ok(report),
            Err(e) => {
                if let Err(removal) = std::fs::remove_file(path) {
                    tracing::warn!("cannot remove the failed backup {}: {removal}", path.display());
                }
                Err(e)
            }
        }
    }
}

/// Opens a copy on its own, read-only, and checks it whole.
async fn check(path: &Path) -> Result<BackupReport> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    let mut copy = SqliteConnection::connect_with(&options).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await?;
    if verdict != "ok" {
        return Err(Error::Internal(format!(
            "the copy at {} failed its integrity check: {verdict}",
            path.display()
        )));
    }
    let events = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut copy)
        .await?;
    let revisions = sqlx::query_scalar("SELECT count(*) FROM revisions")
        .fetch_one(&mut copy)
        .await?;
    copy.close().await?;
    Ok(BackupReport { events, revisions })
}

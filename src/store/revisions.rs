//! The one revision recorder. Every change to an event, an actor or a source is a
//! revision in the same transaction: who, when, what kind of change, the editor's note,
//! and a snapshot, the record's typed form ([`crate::domain::records`]) written by
//! [`crate::domain::snapshot`]. The same module reads revisions back, for history pages,
//! comparisons and reverts.

use sqlx::{FromRow, SqliteConnection};

use super::Db;
use crate::domain::snapshot::{self, Snapshot};
use crate::domain::{
    Actor, ActorKind, AgreementKind, Citation, Entity, Event, EventStatus, EventType, Participant, Relation,
    RelationKind, RevisionAction, Source,
};
use crate::error::{Error, Result};

/// The table that holds an entity's records. Constant fragments only.
fn table(entity: Entity) -> &'static str {
    match entity {
        Entity::Event => "events",
        Entity::Actor => "actors",
        Entity::Source => "sources",
        Entity::Outlet => "outlets",
    }
}

/// One revision as history pages list it.
#[derive(Debug, Clone, FromRow)]
pub struct Revision {
    pub id: i64,
    pub version: i64,
    pub action: RevisionAction,
    pub summary: String,
    pub created_at: String,
    /// The editor's name; none when the account was deleted or the change came from an
    /// import.
    pub editor: Option<String>,
    /// The record then, in its stored form; read it with [`Revision::record`].
    pub snapshot: String,
}

impl Revision {
    /// The record as this revision keeps it.
    pub fn record<T: Snapshot>(&self) -> Result<T> {
        snapshot::decode(&self.snapshot)
            .map_err(|e| Error::Internal(format!("{} revision {}: {e}", T::ENTITY.label(), self.version)))
    }
}

/// A revision as the recent changes page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct RecentRevision {
    pub id: i64,
    pub entity: Entity,
    pub entity_id: i64,
    pub version: i64,
    pub action: RevisionAction,
    pub summary: String,
    pub created_at: String,
    pub editor: Option<String>,
    pub title: Option<String>,
    pub still_exists: bool,
    /// Whether the revision before this one is recorded (to compare with).
    pub has_previous: bool,
}

/// Who changed a record, how, and why: what a revision keeps beside the snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// None for the state loaded from a dataset.
    pub user_id: Option<i64>,
    pub action: RevisionAction,
    /// The editor's note (a retraction's reason, a revert's "version 3 brought back").
    pub summary: &'a str,
}

impl<'a> Change<'a> {
    /// A change by a signed-in editor.
    pub fn by(user_id: i64, action: RevisionAction, summary: &'a str) -> Change<'a> {
        Change {
            user_id: Some(user_id),
            action,
            summary,
        }
    }
}

/// Records a revision of a record as it stands in this transaction, numbered with the
/// record's version.
pub(super) async fn record(
    conn: &mut SqliteConnection,
    entity: Entity,
    id: i64,
    change: Change<'_>,
) -> Result<()> {
    write(conn, entity, id, 0, change).await
}

/// Records the last state of a record about to be deleted, as the version after its
/// current one.
pub(super) async fn record_final(
    conn: &mut SqliteConnection,
    entity: Entity,
    id: i64,
    change: Change<'_>,
) -> Result<()> {
    write(conn, entity, id, 1, change).await
}

/// Writes a revision numbered `past` versions after the record's own.
async fn write(
    conn: &mut SqliteConnection,
    entity: Entity,
    id: i64,
    past: i64,
    change: Change<'_>,
) -> Result<()> {
    let (text, version) = match entity {
        Entity::Event => encode(event(conn, id).await?)?,
        Entity::Actor => encode(actor(conn, id).await?)?,
        Entity::Source => encode(source(conn, id).await?)?,
        Entity::Outlet => encode(super::outlets::outlet(conn, id).await?)?,
    };
    let version = version + past;
    sqlx::query(
        "INSERT INTO revisions (entity, entity_id, version, user_id, action, summary, snapshot) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(entity)
    .bind(id)
    .bind(version)
    .bind(change.user_id)
    .bind(change.action)
    .bind(change.summary.trim())
    .bind(text)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn encode<T: Snapshot>(found: Option<(T, i64)>) -> Result<(String, i64)> {
    let (record, version) = found.ok_or(Error::NotFound)?;
    let text = snapshot::encode(&record).map_err(|e| Error::Internal(e.to_string()))?;
    Ok((text, version))
}

/// Keeps a record as it was loaded (from a dataset, so without a revision yet) before
/// its first change, so that its history starts from what was there and the first change
/// can be compared and undone.
pub(super) async fn record_baseline(conn: &mut SqliteConnection, entity: Entity, id: i64) -> Result<()> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM revisions WHERE entity = ?1 AND entity_id = ?2)")
            .bind(entity)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        let loaded = Change {
            user_id: None,
            action: RevisionAction::Import,
            summary: "As loaded from the dataset",
        };
        record(conn, entity, id, loaded).await?;
    }
    Ok(())
}

/// The record that revision `version` of `id` keeps, or NotFound.
pub(super) async fn stored<T: Snapshot>(conn: &mut SqliteConnection, id: i64, version: i64) -> Result<T> {
    let text: Option<String> = sqlx::query_scalar(
        "SELECT snapshot FROM revisions WHERE entity = ?1 AND entity_id = ?2 AND version = ?3",
    )
    .bind(T::ENTITY)
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    snapshot::decode(&text.ok_or(Error::NotFound)?)
        .map_err(|e| Error::Internal(format!("revision {version} of {} {id}: {e}", T::ENTITY)))
}

/// The version of a record, or NotFound.
pub(super) async fn version_of(conn: &mut SqliteConnection, entity: Entity, id: i64) -> Result<i64> {
    let version: Option<i64> =
        sqlx::query_scalar(&format!("SELECT version FROM {} WHERE id = ?1", table(entity)))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    version.ok_or(Error::NotFound)
}

/// An event's further dates and the reasons of its place's and date note's inferences.
type KeyDateRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A citation's row with its source's outlet and title then.
type CitationRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    crate::domain::Rank,
    String,
    String,
);

/// The event record and its version, as it stands in this transaction.
pub(super) async fn event(conn: &mut SqliteConnection, id: i64) -> Result<Option<(Event, i64)>> {
    type Row = (
        String,
        EventType,
        Option<AgreementKind>,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        String,
        EventStatus,
        String,
        i64,
        Option<crate::domain::Verification>,
        String,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT e.title, e.event_type, e.agreement_kind, e.date_edtf, e.date_note, e.place, \
                e.location_country_id, (SELECT name FROM actors WHERE id = e.location_country_id), \
                e.summary, e.status, e.status_reason, e.version, e.verification, e.verification_reason \
           FROM events e WHERE e.id = ?1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        title,
        event_type,
        agreement_kind,
        date,
        date_note,
        place,
        country_id,
        country,
        summary,
        status,
        reason,
        version,
        verification,
        verification_reason,
    )) = row
    else {
        return Ok(None);
    };
    let what = format!("event {id}");
    let (announced, signed, in_force, place_inference, date_note_inference): KeyDateRow = sqlx::query_as(
        "SELECT announced_edtf, signed_edtf, in_force_edtf, place_inference, date_note_inference \
           FROM events WHERE id = ?1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let tags: Vec<String> = sqlx::query_scalar(
        "SELECT t.name FROM event_tags et JOIN tags t ON t.id = et.tag_id WHERE et.event_id = ?1 ORDER BY t.name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let participants = sqlx::query_as::<_, (i64, String, String, Option<String>, Option<String>)>(
        "SELECT a.id, a.name, ea.role, ea.title, ea.inference FROM event_actors ea \
           JOIN actors a ON a.id = ea.actor_id \
          WHERE ea.event_id = ?1 ORDER BY ea.position, a.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(actor_id, name, role, title, inference)| Participant {
        actor_id,
        name,
        role,
        title,
        inference,
    })
    .collect();
    let mut claims = super::claims::by_citation(conn, id).await?;
    let rows = sqlx::query_as::<_, CitationRow>(
        "SELECT c.id, s.id, s.outlet, s.title, c.passage, c.claimed_date_edtf, c.claimed_date_rank, \
                c.claimed_date_rank_reason, c.note \
           FROM citations c JOIN sources s ON s.id = c.source_id WHERE c.event_id = ?1 \
          ORDER BY c.position, c.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut citations = Vec::with_capacity(rows.len());
    for (
        citation_id,
        source_id,
        outlet,
        source_title,
        passage,
        claimed,
        claimed_date_rank,
        claimed_date_rank_reason,
        note,
    ) in rows
    {
        citations.push(Citation {
            source_id,
            outlet,
            source_title,
            passage,
            claimed_date: claimed
                .as_deref()
                .map(|d| super::stored_date(d, &what))
                .transpose()?,
            claimed_date_rank,
            claimed_date_rank_reason,
            note,
            claims: claims.remove(&citation_id).unwrap_or_default(),
        });
    }
    let relations = sqlx::query_as::<_, (i64, RelationKind, String, String, Option<String>)>(
        "SELECT r.to_event_id, r.relation, r.note, o.title, r.inference FROM event_relations r \
           JOIN events o ON o.id = r.to_event_id WHERE r.from_event_id = ?1 ORDER BY r.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(to_event_id, relation, note, title, inference)| Relation {
        to_event_id,
        relation,
        note,
        title,
        inference,
    })
    .collect();
    let event = Event {
        title,
        event_type,
        agreement_kind,
        date: super::stored_date(&date, &what)?,
        date_note,
        key_dates: crate::domain::KeyDates {
            announced: announced
                .as_deref()
                .map(|d| super::stored_date(d, &what))
                .transpose()?,
            signed: signed
                .as_deref()
                .map(|d| super::stored_date(d, &what))
                .transpose()?,
            in_force: in_force
                .as_deref()
                .map(|d| super::stored_date(d, &what))
                .transpose()?,
        },
        place,
        place_inference,
        date_note_inference,
        location_country_id: country_id,
        location_country: country,
        summary,
        status,
        status_reason: reason,
        tags,
        participants,
        citations,
        relations,
        verification,
        verification_reason,
    };
    Ok(Some((event, version)))
}

/// The actor record and its version, as it stands in this transaction.
pub(super) async fn actor(conn: &mut SqliteConnection, id: i64) -> Result<Option<(Actor, i64)>> {
    type Row = (
        ActorKind,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        String,
        i64,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT a.kind, a.name, a.iso_code, a.country_id, (SELECT c.name FROM actors c WHERE c.id = a.country_id), \
                a.description, a.version FROM actors a WHERE a.id = ?1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((kind, name, iso_code, country_id, country, description, version)) = row else {
        return Ok(None);
    };
    let aliases = sqlx::query_scalar("SELECT alias FROM actor_aliases WHERE actor_id = ?1 ORDER BY alias")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let actor = Actor {
        kind,
        name,
        iso_code,
        country_id,
        country,
        description,
        aliases,
    };
    Ok(Some((actor, version)))
}

/// The source record and its version, as it stands in this transaction.
pub(super) async fn source(conn: &mut SqliteConnection, id: i64) -> Result<Option<(Source, i64)>> {
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        i64,
        Option<String>,
        Option<String>,
        Option<i64>,
        String,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT outlet, title, url, published_edtf, author, notes, version, archive_url, retrieved_edtf, \
                derived_from_id, derived_note \
           FROM sources WHERE id = ?1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        outlet,
        title,
        url,
        published,
        author,
        notes,
        version,
        archive_url,
        retrieved,
        derived_from,
        derived_note,
    )) = row
    else {
        return Ok(None);
    };
    let what = format!("source {id}");
    let date = |text: Option<String>| text.as_deref().map(|d| super::stored_date(d, &what)).transpose();
    let source = Source {
        outlet,
        title,
        url,
        published: date(published)?,
        author,
        notes,
        archive_url,
        retrieved: date(retrieved)?,
        derived_from,
        derived_note,
    };
    Ok(Some((source, version)))
}

impl Db {
    /// The revisions of an event, an actor or a source, newest first.
    pub async fn revisions_of(&self, entity: Entity, id: i64) -> Result<Vec<Revision>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.version, r.action, r.summary, r.created_at, u.name AS editor, r.snapshot \
               FROM revisions r LEFT JOIN users u ON u.id = r.user_id \
              WHERE r.entity = ?1 AND r.entity_id = ?2 ORDER BY r.version DESC",
        )
        .bind(entity)
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }

    /// The latest revisions across the site, newest first, with the title of what they
    /// changed (from the snapshot, so deleted events keep theirs).
    pub async fn recent_revisions(&self, limit: i64) -> Result<Vec<RecentRevision>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.entity, r.entity_id, r.version, r.action, r.summary, r.created_at, \
                    u.name AS editor, \
                    coalesce(json_extract(r.snapshot, '$.title'), json_extract(r.snapshot, '$.name')) AS title, \
                    CASE r.entity WHEN 'event' THEN EXISTS (SELECT 1 FROM events e WHERE e.id = r.entity_id) \
                                  WHEN 'actor' THEN EXISTS (SELECT 1 FROM actors a WHERE a.id = r.entity_id) \
                                  ELSE EXISTS (SELECT 1 FROM sources s WHERE s.id = r.entity_id) END AS still_exists, \
                    EXISTS (SELECT 1 FROM revisions p WHERE p.entity = r.entity \
                             AND p.entity_id = r.entity_id AND p.version = r.version - 1) AS has_previous \
               FROM revisions r LEFT JOIN users u ON u.id = r.user_id \
              ORDER BY r.id DESC LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    /// Why an event was deleted, if it was and readers ever saw it (a deleted draft
    /// stays unknown to them).
    pub async fn deletion_reason(&self, id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT summary FROM revisions WHERE entity = 'event' AND entity_id = ?1 AND action = 'delete' \
                AND json_extract(snapshot, '$.status') IN ('published', 'retracted') \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    /// An event as it stands now, typed, with its version.
    pub async fn event_record(&self, id: i64) -> Result<Option<(Event, i64)>> {
        event(&mut *self.read.acquire().await?, id).await
    }

    /// An actor as it stands now, typed, with its version.
    pub async fn actor_record(&self, id: i64) -> Result<Option<(Actor, i64)>> {
        actor(&mut *self.read.acquire().await?, id).await
    }

    /// A source as it stands now, typed, with its version.
    pub async fn source_record(&self, id: i64) -> Result<Option<(Source, i64)>> {
        source(&mut *self.read.acquire().await?, id).await
    }
}

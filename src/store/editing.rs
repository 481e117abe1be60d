//! Editors' writes to events: creating, editing and changing status. Every write runs
//! in one transaction with the revision that records it (who, when, what kind of
//! change, the editor's summary, a full snapshot), and an edit lands only on the version
//! the editor loaded: a stale save is reported as a conflict, never applied.

use sqlx::{FromRow, SqliteConnection};

use super::Db;
use super::loader::NewEvent;
use crate::dates::{EventDate, iso_day};
use crate::error::{Error, Result};

/// The event's own fields as an editor sets them in the form, validated.
#[derive(Debug, Clone)]
pub struct EventFields {
    pub title: String,
    pub event_type: String,
    pub agreement_kind: Option<String>,
    pub date: EventDate,
    pub date_note: String,
    pub place: Option<String>,
    pub location_country_id: Option<i64>,
    pub summary: String,
    pub tags: Vec<String>,
    /// Who took part, in order; replaces the event's participants.
    pub participants: Vec<ParticipantInput>,
    /// The sources relied on, in order: existing citations are updated in place (their
    /// claims stay), new ones added.
    pub citations: Vec<CitationInput>,
    /// Citations of the event to delete.
    pub removed_citations: Vec<i64>,
    /// "This event <relation> that event", recorded on this event; replaces them.
    pub relations: Vec<RelationInput>,
}

/// A relation from the event being saved to another.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationInput {
    pub to: i64,
    pub relation: String,
    pub note: String,
}

/// A relation recorded on an event, whatever the other event's status: (other event's
/// id, relation, note, other event's title).
pub type OutgoingRelation = (i64, String, String, String);

/// An actor's part in an event, as the form gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantInput {
    pub actor: ActorChoice,
    pub role: String,
    pub title: Option<String>,
}

/// An actor found by name, alias or id, or one to create.
#[derive(Debug, Clone, PartialEq)]
pub enum ActorChoice {
    Existing(i64),
    New { kind: String, name: String },
}

/// A source relied on, with the passage and the source's own date for the event.
#[derive(Debug, Clone, PartialEq)]
pub struct CitationInput {
    pub target: CitationTarget,
    pub passage: String,
    pub claimed_date: Option<EventDate>,
    pub note: String,
    /// What the source claims; replaces the citation's claims.
    pub claims: Vec<ClaimInput>,
}

/// Something a source says ("drones delivered: 12"), and who said it according to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimInput {
    pub topic: String,
    pub value: String,
    pub attributed_to: Option<String>,
}

/// Which citation a row is: one of the event's (its source stays), or a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum CitationTarget {
    Existing(i64),
    New(SourceChoice),
}

/// The publication cited: one already known, or a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceChoice {
    Existing(i64),
    New {
        outlet: String,
        title: String,
        url: Option<String>,
        published: Option<EventDate>,
    },
}

/// What became of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Written; the event now has this version.
    Saved { version: i64 },
    /// Someone saved the event after the editor loaded it: nothing was written.
    Conflict { current_version: i64 },
}

/// A publication status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Draft (or retracted) to published.
    Publish,
    /// Published back to draft.
    Unpublish,
    /// Hidden from readers with a stated reason.
    Retract,
    /// Retracted back to draft, to be checked and published again.
    Restore,
}

impl StatusChange {
    pub fn parse(text: &str) -> Option<StatusChange> {
        match text {
            "publish" => Some(StatusChange::Publish),
            "unpublish" => Some(StatusChange::Unpublish),
            "retract" => Some(StatusChange::Retract),
            "restore" => Some(StatusChange::Restore),
            _ => None,
        }
    }

    /// The revision's action.
    pub fn action(self) -> &'static str {
        match self {
            StatusChange::Publish => "publish",
            StatusChange::Unpublish => "unpublish",
            StatusChange::Retract => "retract",
            StatusChange::Restore => "restore",
        }
    }

    fn past_participle(self) -> &'static str {
        match self {
            StatusChange::Publish => "published",
            StatusChange::Unpublish => "unpublished",
            StatusChange::Retract => "retracted",
            StatusChange::Restore => "restored",
        }
    }

    /// The status the event has afterwards.
    fn target(self) -> &'static str {
        match self {
            StatusChange::Publish => "published",
            StatusChange::Unpublish | StatusChange::Restore => "draft",
            StatusChange::Retract => "retracted",
        }
    }

    /// The statuses the change applies to.
    fn applies_to(self, status: &str) -> bool {
        match self {
            StatusChange::Publish => status == "draft",
            StatusChange::Unpublish | StatusChange::Retract => status == "published",
            StatusChange::Restore => status == "retracted",
        }
    }
}

/// One revision as the history page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct Revision {
    pub id: i64,
    pub version: i64,
    pub action: String,
    pub summary: String,
    pub created_at: String,
    /// The editor's name; none when the account was deleted or the change came from an
    /// import.
    pub editor: Option<String>,
    pub snapshot: String,
}

/// A revision as the recent changes page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct RecentRevision {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub version: i64,
    pub action: String,
    pub summary: String,
    pub created_at: String,
    pub editor: Option<String>,
    pub title: Option<String>,
    pub still_exists: bool,
    /// Whether the revision before this one is recorded (to compare with).
    pub has_previous: bool,
}

impl Db {
    /// Creates a draft event and its first revision; returns its id.
    pub async fn create_event(&self, fields: &EventFields, user_id: i64, summary: &str) -> Result<i64> {
        let mut loader = self.loader().await?;
        let id = loader
            .insert_event(&NewEvent {
                title: &fields.title,
                summary: &fields.summary,
                event_type: &fields.event_type,
                agreement_kind: fields.agreement_kind.as_deref(),
                date: &fields.date,
                date_note: &fields.date_note,
                place: fields.place.as_deref(),
                location_country_id: fields.location_country_id,
                status: "draft",
            })
            .await?;
        for tag in &fields.tags {
            loader.tag_event(id, tag).await?;
        }
        write_participants_and_citations(&mut loader, id, fields, user_id).await?;
        record_revision(&mut loader.tx, id, 1, user_id, "create", summary).await?;
        loader.commit().await?;
        Ok(id)
    }

    /// Saves an editor's changes to an event, if the event is still at
    /// `expected_version`. Relations are left as they are.
    pub async fn update_event(
        &self,
        id: i64,
        expected_version: i64,
        fields: &EventFields,
        user_id: i64,
        summary: &str,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        record_baseline(&mut loader.tx, id).await?;
        let done = sqlx::query(
            "UPDATE events SET title = ?3, slug = ?4, summary = ?5, event_type = ?6, agreement_kind = ?7, \
                    date_edtf = ?8, date_earliest = ?9, date_latest = ?10, date_sort = ?11, \
                    date_precision = ?12, date_note = ?13, place = ?14, location_country_id = ?15, \
                    version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
              WHERE id = ?1 AND version = ?2",
        )
        .bind(id)
        .bind(expected_version)
        .bind(fields.title.trim())
        .bind(super::slugify(&fields.title, "event"))
        .bind(&fields.summary)
        .bind(&fields.event_type)
        .bind(fields.agreement_kind.as_deref())
        .bind(fields.date.edtf())
        .bind(iso_day(fields.date.earliest()))
        .bind(iso_day(fields.date.latest()))
        .bind(iso_day(fields.date.sort_day()))
        .bind(fields.date.precision().as_str())
        .bind(&fields.date_note)
        .bind(fields.place.as_deref())
        .bind(fields.location_country_id)
        .execute(&mut *loader.tx)
        .await?;
        if done.rows_affected() == 0 {
            return conflict_or_missing(&mut loader.tx, id).await;
        }
        sqlx::query("DELETE FROM event_tags WHERE event_id = ?1")
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        for tag in &fields.tags {
            loader.tag_event(id, tag).await?;
        }
        write_participants_and_citations(&mut loader, id, fields, user_id).await?;
        let version = expected_version + 1;
        record_revision(&mut loader.tx, id, version, user_id, "edit", summary).await?;
        loader.events.push(id);
        loader.commit().await?;
        Ok(Saved::Saved { version })
    }

    /// Publishes, unpublishes, retracts (with a reason) or restores an event, if it is
    /// still at `expected_version` and the change applies to its status.
    pub async fn change_event_status(
        &self,
        id: i64,
        expected_version: i64,
        change: StatusChange,
        reason: &str,
        user_id: i64,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        let current: Option<(String, i64)> =
            sqlx::query_as("SELECT status, version FROM events WHERE id = ?1")
                .bind(id)
                .fetch_optional(&mut *loader.tx)
                .await?;
        let (status, current_version) = current.ok_or(Error::NotFound)?;
        if current_version != expected_version {
            return Ok(Saved::Conflict { current_version });
        }
        if !change.applies_to(&status) {
            return Err(Error::Invalid(format!(
                "This event is {status}, so it cannot be {}.",
                change.past_participle()
            )));
        }
        record_baseline(&mut loader.tx, id).await?;
        let reason = if change == StatusChange::Retract {
            reason.trim()
        } else {
            ""
        };
        sqlx::query(
            "UPDATE events SET status = ?2, status_reason = ?3, version = version + 1, \
                    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
              WHERE id = ?1 AND version = ?4",
        )
        .bind(id)
        .bind(change.target())
        .bind(reason)
        .bind(expected_version)
        .execute(&mut *loader.tx)
        .await?;
        let version = expected_version + 1;
        record_revision(&mut loader.tx, id, version, user_id, change.action(), reason).await?;
        loader.events.push(id);
        loader.commit().await?;
        Ok(Saved::Saved { version })
    }

    /// Brings back the content of an earlier revision (fields, tags, participants,
    /// citations with their claims) as a new revision, if the event is still at
    /// `expected_version`. The publication status stays as it is. Actors or sources
    /// deleted since are left out, and the returned count says how many.
    pub async fn revert_event(
        &self,
        id: i64,
        expected_version: i64,
        from_version: i64,
        user_id: i64,
    ) -> Result<(Saved, usize)> {
        let mut loader = self.loader().await?;
        let current: Option<i64> = sqlx::query_scalar("SELECT version FROM events WHERE id = ?1")
            .bind(id)
            .fetch_optional(&mut *loader.tx)
            .await?;
        let current = current.ok_or(Error::NotFound)?;
        if current != expected_version {
            return Ok((
                Saved::Conflict {
                    current_version: current,
                },
                0,
            ));
        }
        let snapshot: Option<String> = sqlx::query_scalar(
            "SELECT snapshot FROM revisions WHERE entity = 'event' AND entity_id = ?1 AND version = ?2",
        )
        .bind(id)
        .bind(from_version)
        .fetch_optional(&mut *loader.tx)
        .await?;
        let snapshot: serde_json::Value = serde_json::from_str(&snapshot.ok_or(Error::NotFound)?)
            .map_err(|e| Error::Internal(format!("revision {from_version} of event {id}: {e}")))?;
        let text = |key: &str| snapshot[key].as_str().unwrap_or_default().to_owned();
        let date = EventDate::parse(&text("date"))
            .map_err(|e| Error::Internal(format!("revision {from_version} of event {id}: {e}")))?;
        sqlx::query(
            "UPDATE events SET title = ?2, slug = ?3, summary = ?4, event_type = ?5, agreement_kind = ?6, \
                    date_edtf = ?7, date_earliest = ?8, date_latest = ?9, date_sort = ?10, \
                    date_precision = ?11, date_note = ?12, place = ?13, \
                    location_country_id = (SELECT id FROM actors WHERE id = ?14), \
                    version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
              WHERE id = ?1",
        )
        .bind(id)
        .bind(text("title"))
        .bind(super::slugify(&text("title"), "event"))
        .bind(text("summary"))
        .bind(text("type"))
        .bind(snapshot["agreement_kind"].as_str())
        .bind(date.edtf())
        .bind(iso_day(date.earliest()))
        .bind(iso_day(date.latest()))
        .bind(iso_day(date.sort_day()))
        .bind(date.precision().as_str())
        .bind(text("date_note"))
        .bind(snapshot["place"].as_str())
        .bind(snapshot["location_country_id"].as_i64())
        .execute(&mut *loader.tx)
        .await?;
        sqlx::query("DELETE FROM event_tags WHERE event_id = ?1")
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        for tag in snapshot["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
        {
            loader.tag_event(id, tag).await?;
        }
        let mut left_out = 0;
        sqlx::query("DELETE FROM event_actors WHERE event_id = ?1")
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        for (position, actor) in (0..).zip(snapshot["actors"].as_array().into_iter().flatten()) {
            let done = sqlx::query(
                "INSERT OR IGNORE INTO event_actors (event_id, actor_id, role, title, position) \
                 SELECT ?1, id, ?3, ?4, ?5 FROM actors \
                  WHERE id = coalesce((SELECT new_id FROM actor_redirects WHERE old_id = ?2), ?2)",
            )
            .bind(id)
            .bind(actor["actor_id"].as_i64())
            .bind(actor["role"].as_str().unwrap_or("participant"))
            .bind(actor["title"].as_str())
            .bind(position)
            .execute(&mut *loader.tx)
            .await?;
            left_out += usize::from(done.rows_affected() == 0);
        }
        sqlx::query("DELETE FROM citations WHERE event_id = ?1")
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        for (position, citation) in (0..).zip(snapshot["citations"].as_array().into_iter().flatten()) {
            let citation_id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO citations (event_id, source_id, passage, claimed_date_edtf, note, position) \
                 SELECT ?1, id, ?3, ?4, ?5, ?6 FROM sources WHERE id = ?2 RETURNING id",
            )
            .bind(id)
            .bind(citation["source_id"].as_i64())
            .bind(citation["passage"].as_str().unwrap_or_default())
            .bind(citation["claimed_date"].as_str())
            .bind(citation["note"].as_str().unwrap_or_default())
            .bind(position)
            .fetch_optional(&mut *loader.tx)
            .await?;
            let Some(citation_id) = citation_id else {
                left_out += 1;
                continue;
            };
            for (claim_position, claim) in (0..).zip(citation["claims"].as_array().into_iter().flatten()) {
                loader
                    .insert_claim(
                        citation_id,
                        claim["topic"].as_str().unwrap_or_default(),
                        claim["value"].as_str().unwrap_or_default(),
                        claim["attributed_to"].as_str(),
                        claim_position,
                    )
                    .await?;
            }
        }
        sqlx::query("DELETE FROM event_relations WHERE from_event_id = ?1")
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        for relation in snapshot["relations"].as_array().into_iter().flatten() {
            let done = sqlx::query(
                "INSERT OR IGNORE INTO event_relations (from_event_id, to_event_id, relation, note) \
                 SELECT ?1, id, ?3, ?4 FROM events WHERE id = ?2 AND id <> ?1",
            )
            .bind(id)
            .bind(relation["to_event_id"].as_i64())
            .bind(relation["relation"].as_str().unwrap_or("related_to"))
            .bind(relation["note"].as_str().unwrap_or_default())
            .execute(&mut *loader.tx)
            .await?;
            left_out += usize::from(done.rows_affected() == 0);
        }
        let version = expected_version + 1;
        let summary = format!("Content of version {from_version} brought back");
        record_revision(&mut loader.tx, id, version, user_id, "revert", &summary).await?;
        loader.events.push(id);
        loader.commit().await?;
        Ok((Saved::Saved { version }, left_out))
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

    /// The revisions of an event, newest first.
    pub async fn event_revisions(&self, id: i64) -> Result<Vec<Revision>> {
        self.revisions_of("event", id).await
    }

    /// The revisions of an event, an actor or a source, newest first.
    pub async fn revisions_of(&self, entity: &str, id: i64) -> Result<Vec<Revision>> {
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

    /// The relations recorded on an event, to events of any status, for its edit form.
    pub async fn outgoing_relations(&self, id: i64) -> Result<Vec<OutgoingRelation>> {
        Ok(sqlx::query_as(
            "SELECT r.to_event_id, r.relation, r.note, o.title FROM event_relations r \
               JOIN events o ON o.id = r.to_event_id WHERE r.from_event_id = ?1 ORDER BY r.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Whether an event exists (in any status).
    pub async fn event_exists(&self, id: i64) -> Result<bool> {
        Ok(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1)")
                .bind(id)
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// The id of the country with this ISO code.
    pub async fn country_by_iso(&self, iso: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM actors WHERE kind = 'country' AND iso_code = ?1")
                .bind(iso.to_uppercase())
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// The ISO code of a country actor.
    pub async fn country_iso(&self, id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT iso_code FROM actors WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .flatten())
    }
}

impl Db {
    /// A source already known by its address, or by its outlet and title.
    pub async fn find_source(&self, url: Option<&str>, outlet: &str, title: &str) -> Result<Option<i64>> {
        if let Some(url) = url {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM sources WHERE url = ?1 ORDER BY id LIMIT 1")
                    .bind(url)
                    .fetch_optional(&self.read)
                    .await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(sqlx::query_scalar(
            "SELECT id FROM sources WHERE outlet = ?1 COLLATE NOCASE AND title = ?2 COLLATE NOCASE \
             ORDER BY id LIMIT 1",
        )
        .bind(outlet.trim())
        .bind(title.trim())
        .fetch_optional(&self.read)
        .await?)
    }
}

/// Replaces the participants and applies the citation changes of one event.
/// Actors and sources created here get their first revision, as if made on their own
/// forms.
async fn write_participants_and_citations(
    loader: &mut super::loader::Loader,
    id: i64,
    fields: &EventFields,
    user_id: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM event_actors WHERE event_id = ?1")
        .bind(id)
        .execute(&mut *loader.tx)
        .await?;
    for (position, participant) in (0..).zip(&fields.participants) {
        let actor_id = match &participant.actor {
            ActorChoice::Existing(actor_id) => *actor_id,
            ActorChoice::New { kind, name } => {
                let actor_id = loader.insert_actor(kind, name, None, None, "").await?;
                let summary = "Added while editing an event";
                super::record_edits::record(
                    &mut loader.tx,
                    "actor",
                    actor_id,
                    Some(user_id),
                    "create",
                    summary,
                )
                .await?;
                actor_id
            }
        };
        loader
            .insert_participant(
                id,
                actor_id,
                participant.role.trim(),
                participant.title.as_deref(),
                position,
            )
            .await?;
    }
    sqlx::query("DELETE FROM event_relations WHERE from_event_id = ?1")
        .bind(id)
        .execute(&mut *loader.tx)
        .await?;
    for relation in &fields.relations {
        if relation.to != id {
            loader
                .relate_events(id, relation.to, &relation.relation, relation.note.trim())
                .await?;
        }
    }
    for citation_id in &fields.removed_citations {
        sqlx::query("DELETE FROM citations WHERE id = ?1 AND event_id = ?2")
            .bind(citation_id)
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
    }
    for (position, citation) in (0..).zip(&fields.citations) {
        match &citation.target {
            CitationTarget::Existing(citation_id) => {
                let updated = sqlx::query(
                    "UPDATE citations SET passage = ?3, claimed_date_edtf = ?4, note = ?5, position = ?6 \
                      WHERE id = ?1 AND event_id = ?2",
                )
                .bind(citation_id)
                .bind(id)
                .bind(citation.passage.trim())
                .bind(citation.claimed_date.as_ref().map(EventDate::edtf))
                .bind(citation.note.trim())
                .bind(position)
                .execute(&mut *loader.tx)
                .await?
                .rows_affected();
                if updated > 0 {
                    sqlx::query("DELETE FROM claims WHERE citation_id = ?1")
                        .bind(citation_id)
                        .execute(&mut *loader.tx)
                        .await?;
                    write_claims(loader, *citation_id, &citation.claims).await?;
                }
                if updated == 0 {
                    return Err(Error::Invalid(format!(
                        "Source {} of the form was removed from this event by another editor \
                         meanwhile. Nothing was saved: reload the form, and add it again as a new \
                         source if it is still needed.",
                        position + 1
                    )));
                }
            }
            CitationTarget::New(source) => {
                let source_id = match source {
                    SourceChoice::Existing(source_id) => *source_id,
                    SourceChoice::New {
                        outlet,
                        title,
                        url,
                        published,
                    } => {
                        let source_id = loader
                            .insert_source(outlet, title, url.as_deref(), published.as_ref(), None, "")
                            .await?;
                        let summary = "Added while editing an event";
                        super::record_edits::record(
                            &mut loader.tx,
                            "source",
                            source_id,
                            Some(user_id),
                            "create",
                            summary,
                        )
                        .await?;
                        source_id
                    }
                };
                let citation_id = loader
                    .insert_citation(
                        id,
                        source_id,
                        citation.passage.trim(),
                        citation.claimed_date.as_ref(),
                        citation.note.trim(),
                        position,
                    )
                    .await?;
                write_claims(loader, citation_id, &citation.claims).await?;
            }
        }
    }
    Ok(())
}

/// Writes a citation's claims in order.
async fn write_claims(
    loader: &mut super::loader::Loader,
    citation_id: i64,
    claims: &[ClaimInput],
) -> Result<()> {
    for (position, claim) in (0..).zip(claims) {
        loader
            .insert_claim(
                citation_id,
                &claim.topic,
                &claim.value,
                claim.attributed_to.as_deref(),
                position,
            )
            .await?;
    }
    Ok(())
}

/// A write matched no row at the expected version: the event is gone, or newer.
async fn conflict_or_missing(conn: &mut SqliteConnection, id: i64) -> Result<Saved> {
    let current: Option<i64> = sqlx::query_scalar("SELECT version FROM events WHERE id = ?1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match current {
        Some(current_version) => Ok(Saved::Conflict { current_version }),
        None => Err(Error::NotFound),
    }
}

/// The snapshot of event `e` as JSON: its fields, tags, participants and citations with
/// their claims. One expression, so that every revision is taken the same way.
const EVENT_SNAPSHOT: &str = "json_object( \
     'title', e.title, 'type', e.event_type, 'agreement_kind', e.agreement_kind, \
     'date', e.date_edtf, 'date_note', e.date_note, 'place', e.place, \
     'location_country', (SELECT name FROM actors WHERE id = e.location_country_id), \
     'location_country_id', e.location_country_id, \
     'summary', e.summary, 'status', e.status, 'status_reason', e.status_reason, \
     'tags', (SELECT json_group_array(name) FROM (SELECT t.name FROM event_tags et \
                JOIN tags t ON t.id = et.tag_id WHERE et.event_id = e.id ORDER BY t.name)), \
     'actors', (SELECT json_group_array(json(j)) FROM (SELECT json_object('actor_id', a.id, \
                'name', a.name, 'role', ea.role, 'title', ea.title) AS j FROM event_actors ea \
                JOIN actors a ON a.id = ea.actor_id WHERE ea.event_id = e.id ORDER BY ea.position)), \
     'citations', (SELECT json_group_array(json(j)) FROM (SELECT json_object('source_id', s.id, \
                'outlet', s.outlet, 'source', s.title, 'passage', c.passage, \
                'claimed_date', c.claimed_date_edtf, 'note', c.note, \
                'claims', (SELECT json_group_array(json(k)) FROM (SELECT json_object('topic', cl.topic, \
                    'value', cl.value, 'attributed_to', cl.attributed_to) AS k FROM claims cl \
                    WHERE cl.citation_id = c.id ORDER BY cl.position))) AS j FROM citations c \
                JOIN sources s ON s.id = c.source_id WHERE c.event_id = e.id ORDER BY c.position)), \
     'relations', (SELECT json_group_array(json(j)) FROM (SELECT json_object('to_event_id', r.to_event_id, \
                'relation', r.relation, 'note', r.note, 'title', o.title) AS j FROM event_relations r \
                JOIN events o ON o.id = r.to_event_id WHERE r.from_event_id = e.id ORDER BY r.id)))";

/// Records an event as it stands before its first change through the editors' forms
/// (loaded from a dataset, so without a revision yet), so that its history starts from
/// what was there and the first edit can be compared and undone.
async fn record_baseline(conn: &mut SqliteConnection, id: i64) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO revisions (entity, entity_id, version, user_id, action, summary, snapshot) \
         SELECT 'event', e.id, e.version, NULL, 'import', 'As loaded from the dataset', {EVENT_SNAPSHOT} \
           FROM events e WHERE e.id = ?1 \
            AND NOT EXISTS (SELECT 1 FROM revisions WHERE entity = 'event' AND entity_id = ?1)"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the loaded state of each of `events` that has no revision yet; to call before
/// changing them from elsewhere (see [`record_side_effect`]).
pub(super) async fn record_baselines(conn: &mut SqliteConnection, events: &[i64]) -> Result<()> {
    for &id in events {
        record_baseline(conn, id).await?;
    }
    Ok(())
}

/// Records, on each of `events`, a change made to it from elsewhere (an actor merged, a
/// related event deleted): a new version and a revision with the note, so that its
/// history explains why it changed.
pub(super) async fn record_side_effect(
    conn: &mut SqliteConnection,
    events: &[i64],
    user_id: i64,
    note: &str,
) -> Result<()> {
    for &id in events {
        let version: Option<i64> = sqlx::query_scalar(
            "UPDATE events SET version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
              WHERE id = ?1 RETURNING version",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(version) = version {
            record_revision(conn, id, version, user_id, "edit", note).await?;
        }
    }
    Ok(())
}

/// Records the last state of an event about to be deleted, as its final revision.
pub(super) async fn record_deletion(
    conn: &mut SqliteConnection,
    id: i64,
    user_id: i64,
    reason: &str,
) -> Result<()> {
    let version: i64 = sqlx::query_scalar("SELECT version + 1 FROM events WHERE id = ?1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    record_revision(conn, id, version, user_id, "delete", reason).await
}

/// Records a revision of an event with a snapshot of the event as it now stands in this
/// transaction.
async fn record_revision(
    conn: &mut SqliteConnection,
    id: i64,
    version: i64,
    user_id: i64,
    action: &str,
    summary: &str,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO revisions (entity, entity_id, version, user_id, action, summary, snapshot) \
         SELECT 'event', e.id, ?2, ?3, ?4, ?5, {EVENT_SNAPSHOT} FROM events e WHERE e.id = ?1"
    ))
    .bind(id)
    .bind(version)
    .bind(user_id)
    .bind(action)
    .bind(summary.trim())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

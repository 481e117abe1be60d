//! Editors' writes to events: creating, editing and changing status. Every write runs
//! in one transaction with the revision that records it (who, when, what kind of
//! change, the editor's summary, a full snapshot), and an edit lands only on the version
//! the editor loaded: a stale save is reported as a conflict, never applied.

use sqlx::SqliteConnection;

use super::Db;
use super::loader::{Loader, NewCitation, NewEvent};
use super::revisions::{self, Change};
use crate::dates::{EventDate, iso_day};
use crate::domain::edit::{
    ActorChoice, CitationInput, CitationTarget, EventFields, ParticipantInput, RelationInput, SourceChoice,
    StatusChange,
};
use crate::domain::{Entity, EventStatus, RevisionAction, Source};
use crate::error::{Error, OnConstraint, Result};

/// What became of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Written; the event now has this version.
    Saved { version: i64 },
    /// Someone saved the event after the editor loaded it: nothing was written.
    Conflict { current_version: i64 },
}

impl Db {
    /// Creates a draft event and its first revision; returns its id.
    pub async fn create_event(&self, fields: &EventFields, user_id: i64, summary: &str) -> Result<i64> {
        let mut loader = self.loader().await?;
        let country = live_country(&mut loader.tx, fields.location_country_id).await?;
        let id = loader
            .insert_event(&NewEvent::of(fields, country, EventStatus::Draft))
            .await
            .on_foreign_key(vanished)?;
        fill_event(
            &mut loader,
            id,
            fields,
            Change::by(user_id, RevisionAction::Create, summary),
        )
        .await?;
        loader.commit().await?;
        Ok(id)
    }

    /// Saves an editor's changes to an event, if the event is still at
    /// `expected_version`.
    pub async fn update_event(
        &self,
        id: i64,
        expected_version: i64,
        fields: &EventFields,
        user_id: i64,
        summary: &str,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        let saved = save_event(
            &mut loader,
            id,
            expected_version,
            fields,
            Change::by(user_id, RevisionAction::Edit, summary),
        )
        .await?;
        loader.commit_saved(saved).await
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
        let current: Option<(EventStatus, i64)> =
            sqlx::query_as("SELECT status, version FROM events WHERE id = ?1")
                .bind(id)
                .fetch_optional(&mut *loader.tx)
                .await?;
        let (status, current_version) = current.ok_or(Error::NotFound)?;
        if current_version != expected_version {
            return Ok(Saved::Conflict { current_version });
        }
        if !change.applies_to(status) {
            return Err(Error::Invalid(format!(
                "This event is {status}, so it cannot be {}.",
                change.past_participle()
            )));
        }
        revisions::record_baseline(&mut loader.tx, Entity::Event, id).await?;
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
        let action = change.action();
        revisions::record(
            &mut loader.tx,
            Entity::Event,
            id,
            Change::by(user_id, action, reason),
        )
        .await?;
        loader.events.push(id);
        loader.commit().await?;
        Ok(Saved::Saved {
            version: expected_version + 1,
        })
    }

    /// Brings back the content of an earlier revision (fields, tags, participants,
    /// citations with their claims, relations) as a new revision, if the event is still
    /// at `expected_version`, through the same write as a form save. The publication
    /// status stays as it is. Actors merged since are followed to the actor they became;
    /// actors, sources and related events deleted since are left out, and the returned
    /// count says how many.
    pub async fn revert_event(
        &self,
        id: i64,
        expected_version: i64,
        from_version: i64,
        user_id: i64,
    ) -> Result<(Saved, usize)> {
        let mut loader = self.loader().await?;
        let current_version = revisions::version_of(&mut loader.tx, Entity::Event, id).await?;
        if current_version != expected_version {
            return Ok((Saved::Conflict { current_version }, 0));
        }
        let record: crate::domain::Event = revisions::stored(&mut loader.tx, id, from_version).await?;
        let (fields, left_out) = fields_of_record(&mut loader.tx, id, &record).await?;
        let summary = format!("Content of version {from_version} brought back");
        let action = RevisionAction::Revert;
        let saved = save_event(
            &mut loader,
            id,
            expected_version,
            &fields,
            Change::by(user_id, action, &summary),
        )
        .await?;
        Ok((loader.commit_saved(saved).await?, left_out))
    }
}

impl Db {
    /// A source already known by its address, or by its outlet and title.
    pub async fn find_source(&self, url: Option<&str>, outlet: &str, title: &str) -> Result<Option<i64>> {
        find_source(&mut *self.read.acquire().await?, url, outlet, title).await
    }
}

impl Loader {
    /// The same, inside the loader's transaction (sources it created included).
    pub async fn source_matching(
        &mut self,
        url: Option<&str>,
        outlet: &str,
        title: &str,
    ) -> Result<Option<i64>> {
        find_source(&mut self.tx, url, outlet, title).await
    }
}

async fn find_source(
    conn: &mut SqliteConnection,
    url: Option<&str>,
    outlet: &str,
    title: &str,
) -> Result<Option<i64>> {
    if let Some(url) = url {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM sources WHERE url = ?1 ORDER BY id LIMIT 1")
                .bind(url)
                .fetch_optional(&mut *conn)
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
    .fetch_optional(&mut *conn)
    .await?)
}

/// Replaces the participants and applies the citation changes of one event.
/// Actors and sources created here get their first revision, as if made on their own
/// forms.
async fn write_participants_and_citations(
    loader: &mut super::loader::Loader,
    id: i64,
    fields: &EventFields,
    user_id: Option<i64>,
) -> Result<()> {
    let created = Change {
        user_id,
        action: RevisionAction::Create,
        summary: "Added while editing an event",
    };
    sqlx::query("DELETE FROM event_actors WHERE event_id = ?1")
        .bind(id)
        .execute(&mut *loader.tx)
        .await?;
    for (position, participant) in (0..).zip(&fields.participants) {
        let actor_id = match &participant.actor {
            // Resolved again inside the write: an actor merged since the form was checked
            // is the one it became; one gone altogether is named in the refusal.
            ActorChoice::Existing(actor_id) => super::live_actor(&mut loader.tx, *actor_id)
                .await?
                .ok_or_else(|| gone(&format!("Actor #{actor_id}")))?,
            ActorChoice::New { kind, name } => {
                let actor_id = loader.insert_actor(*kind, name, None, None, "").await?;
                revisions::record(&mut loader.tx, Entity::Actor, actor_id, created).await?;
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
                participant.inference.as_deref(),
            )
            .await?;
    }
    sqlx::query("DELETE FROM event_relations WHERE from_event_id = ?1")
        .bind(id)
        .execute(&mut *loader.tx)
        .await?;
    for relation in &fields.relations {
        if relation.to == id {
            continue;
        }
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1)")
            .bind(relation.to)
            .fetch_one(&mut *loader.tx)
            .await?;
        if !exists {
            return Err(gone(&format!("Related event #{}", relation.to)));
        }
        loader
            .relate_events(
                id,
                relation.to,
                relation.relation,
                relation.note.trim(),
                relation.inference.as_deref(),
            )
            .await?;
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
                    "UPDATE citations SET passage = ?3, claimed_date_edtf = ?4, note = ?5, position = ?6, \
                            claimed_date_rank = ?7, claimed_date_rank_reason = ?8 \
                      WHERE id = ?1 AND event_id = ?2",
                )
                .bind(citation_id)
                .bind(id)
                .bind(citation.passage.trim())
                .bind(citation.claimed_date.as_ref().map(EventDate::edtf))
                .bind(citation.note.trim())
                .bind(position)
                .bind(citation.claimed_date_rank)
                .bind(citation.claimed_date_rank_reason.trim())
                .execute(&mut *loader.tx)
                .await?
                .rows_affected();
                if updated > 0 {
                    sqlx::query("DELETE FROM claims WHERE citation_id = ?1")
                        .bind(citation_id)
                        .execute(&mut *loader.tx)
                        .await?;
                    loader.insert_claims(*citation_id, &citation.claims).await?;
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
                    SourceChoice::Existing(source_id) => {
                        let exists: bool =
                            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sources WHERE id = ?1)")
                                .bind(source_id)
                                .fetch_one(&mut *loader.tx)
                                .await?;
                        if !exists {
                            return Err(gone(&format!("Source #{source_id}")));
                        }
                        *source_id
                    }
                    SourceChoice::New {
                        outlet,
                        title,
                        url,
                        published,
                    } => {
                        let source = Source {
                            outlet: outlet.clone(),
                            title: title.clone(),
                            url: url.clone(),
                            published: published.clone(),
                            author: None,
                            notes: String::new(),
                            archive_url: None,
                            retrieved: None,
                            derived_from: None,
                            derived_note: String::new(),
                        };
                        let source_id = loader.insert_source(&source).await?;
                        revisions::record(&mut loader.tx, Entity::Source, source_id, created).await?;
                        source_id
                    }
                };
                let cited = NewCitation {
                    passage: &citation.passage,
                    claimed_date: citation.claimed_date.as_ref(),
                    claimed_date_rank: citation.claimed_date_rank,
                    claimed_date_rank_reason: &citation.claimed_date_rank_reason,
                    note: &citation.note,
                    claims: &citation.claims,
                };
                loader.insert_citation(id, source_id, &cited, position).await?;
            }
        }
    }
    Ok(())
}

/// Writes the tags, participants, citations and relations of event `id` (just inserted,
/// or with its tags cleared) and the revision recording `change`.
pub(super) async fn fill_event(
    loader: &mut Loader,
    id: i64,
    fields: &EventFields,
    change: Change<'_>,
) -> Result<()> {
    for tag in &fields.tags {
        loader.tag_event(id, tag).await?;
    }
    loader
        .set_verification(id, fields.verification, &fields.verification_reason)
        .await?;
    loader.set_key_dates(id, &fields.key_dates).await?;
    loader
        .set_inferences(
            id,
            fields.place_inference.as_deref(),
            fields.date_note_inference.as_deref(),
        )
        .await?;
    write_participants_and_citations(loader, id, fields, change.user_id)
        .await
        .on_foreign_key(vanished)?;
    revisions::record(&mut loader.tx, Entity::Event, id, change).await?;
    Ok(())
}

/// Writes an editor's fields over event `id`, if it is still at `expected_version`,
/// with a revision recording `change`: the one write path of form saves and reverts.
pub(super) async fn save_event(
    loader: &mut Loader,
    id: i64,
    expected_version: i64,
    fields: &EventFields,
    change: Change<'_>,
) -> Result<Saved> {
    revisions::record_baseline(&mut loader.tx, Entity::Event, id).await?;
    let country = live_country(&mut loader.tx, fields.location_country_id).await?;
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
    .bind(fields.event_type)
    .bind(fields.agreement_kind)
    .bind(fields.date.edtf())
    .bind(iso_day(fields.date.earliest()))
    .bind(iso_day(fields.date.latest()))
    .bind(iso_day(fields.date.sort_day()))
    .bind(fields.date.precision().as_str())
    .bind(&fields.date_note)
    .bind(fields.place.as_deref())
    .bind(country)
    .execute(&mut *loader.tx)
    .await
    .map_err(Error::from)
    .on_foreign_key(vanished)?;
    if done.rows_affected() == 0 {
        let current_version = revisions::version_of(&mut loader.tx, Entity::Event, id).await?;
        return Ok(Saved::Conflict { current_version });
    }
    sqlx::query("DELETE FROM event_tags WHERE event_id = ?1")
        .bind(id)
        .execute(&mut *loader.tx)
        .await?;
    fill_event(loader, id, fields, change).await?;
    loader.events.push(id);
    Ok(Saved::Saved {
        version: expected_version + 1,
    })
}

/// The refusal of a save that names `what` ("Actor #12"), deleted by another editor
/// between the form's check and the write.
fn gone(what: &str) -> Error {
    Error::Conflict(format!(
        "{what}, named in the form, was deleted by another editor meanwhile. Nothing was \
         saved: change that row and save again."
    ))
}

/// The country of an event's place, resolved inside the write: merged since the form
/// was checked, it is the country it became.
async fn live_country(conn: &mut SqliteConnection, country: Option<i64>) -> Result<Option<i64>> {
    match country {
        Some(id) => Ok(Some(
            super::live_actor(conn, id)
                .await?
                .ok_or_else(|| gone("The country of the place"))?,
        )),
        None => Ok(None),
    }
}

/// What an editor reads when an actor, a source or an event that the form names was
/// merged or deleted between the form's check and the write.
fn vanished() -> String {
    "An actor, source or event named in the form was merged or deleted by another editor \
     meanwhile. Nothing was saved: check the rows and save again."
        .to_owned()
}

/// The form fields that bring back `record` (a revision of event `id`) in full: every
/// citation of the event now is replaced by the record's. Actors merged since lead to
/// the actor they became; what was deleted since is left out and counted.
pub(super) async fn fields_of_record(
    conn: &mut SqliteConnection,
    id: i64,
    record: &crate::domain::Event,
) -> Result<(EventFields, usize)> {
    let mut left_out = 0;
    let mut participants = Vec::with_capacity(record.participants.len());
    for p in &record.participants {
        let actor = super::live_actor(conn, p.actor_id)
            .await?
            .map(ActorChoice::Existing);
        // Two participants merged into one actor since, in the same role, are one now.
        let kept = |q: &ParticipantInput| Some(&q.actor) == actor.as_ref() && q.role == p.role;
        match actor {
            Some(actor) if !participants.iter().any(kept) => participants.push(ParticipantInput {
                actor,
                role: p.role.clone(),
                title: p.title.clone(),
                inference: p.inference.clone(),
            }),
            _ => left_out += 1,
        }
    }
    let mut citations = Vec::with_capacity(record.citations.len());
    for c in &record.citations {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sources WHERE id = ?1)")
            .bind(c.source_id)
            .fetch_one(&mut *conn)
            .await?;
        if !exists {
            left_out += 1;
            continue;
        }
        citations.push(CitationInput {
            target: CitationTarget::New(SourceChoice::Existing(c.source_id)),
            passage: c.passage.clone(),
            claimed_date: c.claimed_date.clone(),
            claimed_date_rank: c.claimed_date_rank,
            claimed_date_rank_reason: c.claimed_date_rank_reason.clone(),
            note: c.note.clone(),
            claims: c.claims.clone(),
        });
    }
    let removed_citations = sqlx::query_scalar("SELECT id FROM citations WHERE event_id = ?1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut relations = Vec::with_capacity(record.relations.len());
    for r in &record.relations {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1)")
            .bind(r.to_event_id)
            .fetch_one(&mut *conn)
            .await?;
        if exists && r.to_event_id != id {
            relations.push(RelationInput {
                to: r.to_event_id,
                relation: r.relation,
                note: r.note.clone(),
                inference: r.inference.clone(),
            });
        } else {
            left_out += 1;
        }
    }
    let location_country_id = match record.location_country_id {
        Some(country) => super::live_actor(conn, country).await?,
        None => None,
    };
    let fields = EventFields {
        title: record.title.clone(),
        event_type: record.event_type,
        agreement_kind: record.agreement_kind,
        date: record.date.clone(),
        date_note: record.date_note.clone(),
        key_dates: record.key_dates.clone(),
        place: record.place.clone(),
        place_inference: record.place_inference.clone(),
        date_note_inference: record.date_note_inference.clone(),
        location_country_id,
        summary: record.summary.clone(),
        tags: record.tags.clone(),
        participants,
        citations,
        removed_citations,
        relations,
        verification: record.verification,
        verification_reason: record.verification_reason.clone(),
    };
    Ok((fields, left_out))
}

/// Keeps the loaded state of each of `events` that has no revision yet; to call before
/// changing them from elsewhere (see [`record_side_effect`]).
pub(super) async fn record_baselines(conn: &mut SqliteConnection, events: &[i64]) -> Result<()> {
    for &id in events {
        revisions::record_baseline(conn, Entity::Event, id).await?;
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
        let bumped = sqlx::query(
            "UPDATE events SET version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
              WHERE id = ?1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
        if bumped.rows_affected() > 0 {
            let action = RevisionAction::Edit;
            revisions::record(conn, Entity::Event, id, Change::by(user_id, action, note)).await?;
        }
    }
    Ok(())
}

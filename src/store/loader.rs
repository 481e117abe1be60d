//! Writing whole datasets in one transaction: either everything lands or nothing does.
//! [`crate::import`] validates records and resolves keys; this module only writes rows.

use sqlx::{Sqlite, Transaction};

use super::{Db, fold, slugify};
use crate::dates::{EventDate, iso_day};
use crate::domain::{
    ActorKind, AgreementKind, Claim, EventStatus, EventType, Rank, RelationKind, Source, Verification,
};
use crate::error::Result;

/// An open write transaction for loading a dataset.
pub struct Loader {
    pub(super) tx: Transaction<'static, Sqlite>,
    /// Events written so far, whose search documents are written at commit.
    pub(super) events: Vec<i64>,
    db: Db,
}

/// An event ready to be written: validated, with its date parsed and keys resolved.
pub struct NewEvent<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub event_type: EventType,
    pub agreement_kind: Option<AgreementKind>,
    pub date: &'a EventDate,
    pub date_note: &'a str,
    pub place: Option<&'a str>,
    pub location_country_id: Option<i64>,
    pub status: EventStatus,
}

impl<'a> NewEvent<'a> {
    /// The row of an event an editor (or an import) sets up with `fields`.
    pub fn of(
        fields: &'a crate::domain::edit::EventFields,
        location_country_id: Option<i64>,
        status: EventStatus,
    ) -> NewEvent<'a> {
        NewEvent {
            title: &fields.title,
            summary: &fields.summary,
            event_type: fields.event_type,
            agreement_kind: fields.agreement_kind,
            date: &fields.date,
            date_note: &fields.date_note,
            place: fields.place.as_deref(),
            location_country_id,
            status,
        }
    }
}

impl Db {
    /// Starts a dataset load on the write connection.
    pub async fn loader(&self) -> Result<Loader> {
        Ok(Loader {
            tx: self.begin_write().await?,
            events: Vec::new(),
            db: self.clone(),
        })
    }
}

/// The id for a new row of `table`: past every id the table has held, so that an id is
/// never given twice, even after the newest row was deleted or merged away (its history
/// and its redirects keep pointing at it). Constant fragments only.
fn next_id(table: &str, entity: &str) -> String {
    let redirects = if entity == "actor" {
        " UNION ALL SELECT max(old_id) FROM actor_redirects"
    } else {
        ""
    };
    format!(
        "(SELECT coalesce(max(m), 0) + 1 FROM (SELECT max(id) AS m FROM {table} \
           UNION ALL SELECT max(entity_id) FROM revisions WHERE entity = '{entity}'{redirects}))"
    )
}

impl Loader {
    pub async fn insert_actor(
        &mut self,
        kind: ActorKind,
        name: &str,
        iso_code: Option<&str>,
        country_id: Option<i64>,
        description: &str,
    ) -> Result<i64> {
        let id = sqlx::query_scalar(&format!(
            "INSERT INTO actors (id, kind, name, slug, iso_code, country_id, description) \
             VALUES ({}, ?, ?, ?, ?, ?, ?) RETURNING id",
            next_id("actors", "actor")
        ))
        .bind(kind)
        .bind(name.trim())
        .bind(slugify(name, "actor"))
        .bind(iso_code.map(str::to_uppercase))
        .bind(country_id)
        .bind(description)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(id)
    }

    /// Records another name of an actor; a repeated alias is ignored.
    pub async fn insert_alias(&mut self, actor_id: i64, alias: &str) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO actor_aliases (actor_id, alias, folded) VALUES (?, ?, ?)")
            .bind(actor_id)
            .bind(alias.trim())
            .bind(fold(alias))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn insert_source(&mut self, source: &Source) -> Result<i64> {
        let outlet = super::outlets::current_name(&mut self.tx, &source.outlet).await?;
        let id = sqlx::query_scalar(&format!(
            "INSERT INTO sources (id, outlet, title, url, published_edtf, published_earliest, author, notes, \
                                  archive_url, retrieved_edtf, derived_from_id, derived_note) \
             VALUES ({}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            next_id("sources", "source")
        ))
        .bind(&outlet)
        .bind(source.title.trim())
        .bind(source.url.as_deref())
        .bind(source.published.as_ref().map(EventDate::edtf))
        .bind(source.published.as_ref().map(|d| iso_day(d.earliest())))
        .bind(source.author.as_deref())
        .bind(source.notes.trim())
        .bind(source.archive_url.as_deref())
        .bind(source.retrieved.as_ref().map(EventDate::edtf))
        .bind(source.derived_from)
        .bind(source.derived_note.trim())
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(id)
    }

    pub async fn insert_event(&mut self, event: &NewEvent<'_>) -> Result<i64> {
        let id = sqlx::query_scalar(&format!(
            "INSERT INTO events (id, title, slug, summary, event_type, agreement_kind, date_edtf, \
                 date_earliest, date_latest, date_sort, date_precision, date_note, place, location_country_id, status) \
             VALUES ({}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            next_id("events", "event")
        ))
        .bind(event.title.trim())
        .bind(slugify(event.title, "event"))
        .bind(event.summary)
        .bind(event.event_type)
        .bind(event.agreement_kind)
        .bind(event.date.edtf())
        .bind(iso_day(event.date.earliest()))
        .bind(iso_day(event.date.latest()))
        .bind(iso_day(event.date.sort_day()))
        .bind(event.date.precision().as_str())
        .bind(event.date_note)
        .bind(event.place)
        .bind(event.location_country_id)
        .bind(event.status)
        .fetch_one(&mut *self.tx)
        .await?;
        self.events.push(id);
        Ok(id)
    }

    /// Links an actor to an event; the same actor in the same role twice is one link.
    pub async fn insert_participant(
        &mut self,
        event_id: i64,
        actor_id: i64,
        role: &str,
        title: Option<&str>,
        position: i64,
        inference: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO event_actors (event_id, actor_id, role, title, position, inference) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(event_id)
        .bind(actor_id)
        .bind(role)
        .bind(title)
        .bind(position)
        .bind(inference.map(str::trim).filter(|r| !r.is_empty()))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Cites a source on an event at `position`, with the source's date for the event
    /// ranked and its claims; returns the citation's id.
    pub async fn insert_citation(
        &mut self,
        event_id: i64,
        source_id: i64,
        citation: &NewCitation<'_>,
        position: i64,
    ) -> Result<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO citations (event_id, source_id, passage, claimed_date_edtf, note, position, \
                                    claimed_date_rank, claimed_date_rank_reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(event_id)
        .bind(source_id)
        .bind(citation.passage.trim())
        .bind(citation.claimed_date.map(EventDate::edtf))
        .bind(citation.note.trim())
        .bind(position)
        .bind(citation.claimed_date_rank)
        .bind(citation.claimed_date_rank_reason.trim())
        .fetch_one(&mut *self.tx)
        .await?;
        self.insert_claims(id, citation.claims).await?;
        Ok(id)
    }

    /// Describes the outlet named `outlet.name` (its record exists once a source names
    /// it), as a whole dataset is loaded.
    pub async fn set_outlet(&mut self, outlet: &crate::domain::Outlet) -> Result<()> {
        sqlx::query(
            "UPDATE outlets SET kind = ?2, country_id = ?3, language = ?4, note = ?5 WHERE name = ?1",
        )
        .bind(outlet.name.trim())
        .bind(outlet.kind)
        .bind(outlet.country_id)
        .bind(outlet.language.trim())
        .bind(outlet.note.trim())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Marks event `id`'s place and date note as the editors' inference, each for its
    /// reason (none: the sources support it).
    pub async fn set_inferences(
        &mut self,
        id: i64,
        place: Option<&str>,
        date_note: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE events SET place_inference = ?2, date_note_inference = ?3 WHERE id = ?1")
            .bind(id)
            .bind(place.map(str::trim).filter(|r| !r.is_empty()))
            .bind(date_note.map(str::trim).filter(|r| !r.is_empty()))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Sets when event `id` was announced, signed and entered into force.
    pub async fn set_key_dates(&mut self, id: i64, dates: &crate::domain::KeyDates) -> Result<()> {
        sqlx::query(
            "UPDATE events SET announced_edtf = ?2, signed_edtf = ?3, in_force_edtf = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(dates.announced.as_ref().map(EventDate::edtf))
        .bind(dates.signed.as_ref().map(EventDate::edtf))
        .bind(dates.in_force.as_ref().map(EventDate::edtf))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Sets the editors' verification status of event `id` (none: the sources' status).
    pub async fn set_verification(
        &mut self,
        id: i64,
        status: Option<Verification>,
        reason: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE events SET verification = ?2, verification_reason = ?3 WHERE id = ?1")
            .bind(id)
            .bind(status)
            .bind(if status.is_some() { reason.trim() } else { "" })
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Writes a citation's claims, in order.
    pub async fn insert_claims(&mut self, citation_id: i64, claims: &[Claim]) -> Result<()> {
        super::claims::insert(&mut self.tx, citation_id, claims).await
    }

    /// Tags an event, creating the tag on first use.
    pub async fn tag_event(&mut self, event_id: i64, tag: &str) -> Result<()> {
        let tag = tag.trim().to_lowercase();
        sqlx::query("INSERT OR IGNORE INTO tags (name) VALUES (?)")
            .bind(&tag)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO event_tags (event_id, tag_id) SELECT ?, id FROM tags WHERE name = ?",
        )
        .bind(event_id)
        .bind(&tag)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn relate_events(
        &mut self,
        from: i64,
        to: i64,
        relation: RelationKind,
        note: &str,
        inference: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO event_relations (from_event_id, to_event_id, relation, note, inference) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(from)
        .bind(to)
        .bind(relation)
        .bind(note)
        .bind(inference.map(str::trim).filter(|r| !r.is_empty()))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Commits a save that was written, and drops (rolls back) one that met a newer
    /// version: nothing of a conflicting save lands, not even its baseline revision.
    pub async fn commit_saved(self, saved: super::editing::Saved) -> Result<super::editing::Saved> {
        if let super::editing::Saved::Saved { .. } = saved {
            self.commit().await?;
        }
        Ok(saved)
    }

    /// Writes the loaded events' derived rows (search, filters) and makes the whole load visible at once.
    pub async fn commit(mut self) -> Result<()> {
        super::derived::refresh(&mut self.tx, Some(&self.events)).await?;
        if !self.db.keeps_read_index() {
            self.tx.commit().await?;
            self.db.after_write();
            return Ok(());
        }
        // The read index takes the events as this transaction leaves them.
        let started = std::time::Instant::now();
        let rows = super::read_index::read_rows(&mut self.tx, &self.events).await?;
        let read = started.elapsed();
        let in_flight = self.db.write_in_flight();
        self.tx.commit().await?;
        let applying = std::time::Instant::now();
        self.db.apply_to_read_index(rows);
        drop(in_flight);
        tracing::debug!(
            events = self.events.len(),
            read_us = read.as_micros() as u64,
            applied_us = applying.elapsed().as_micros() as u64,
            "read index: a write's rows read and applied"
        );
        self.db.after_write();
        Ok(())
    }
}

/// A citation to write: the passage relied on, the source's date for the event with
/// its rank, a note, and the source's claims.
pub struct NewCitation<'a> {
    pub passage: &'a str,
    pub claimed_date: Option<&'a EventDate>,
    pub claimed_date_rank: Rank,
    pub claimed_date_rank_reason: &'a str,
    pub note: &'a str,
    pub claims: &'a [Claim],
}

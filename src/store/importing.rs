//! Writing an imported dataset over what the database holds (`crate::import` decides
//! what each record of the file is). A record is created, or written over the record it
//! matched through the same save path as a form save (so it gets a revision, its events'
//! search rows follow, a merged actor is followed); a write that leaves the record as it
//! was is undone (a savepoint), so that importing the same file twice changes nothing.

use sqlx::SqliteConnection;

use super::Db;
use super::editing::{Saved, fill_event, save_event};
use super::loader::{Loader, NewEvent};
use super::record_edits::{save_actor, write_source};
use super::revisions::{self, Change};
use crate::domain::edit::{ActorFields, EventFields};
use crate::domain::{Actor, Entity, Event, EventStatus, RevisionAction, Source};
use crate::error::{Error, Result};

/// A record found by the key an earlier import gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyed {
    pub id: i64,
    /// The record was found by name, code or address when the key was given, or has
    /// been merged since: its own fields stand, not the file's.
    pub matched: bool,
}

/// What an import did, or would do, to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Changed,
    Unchanged,
}

/// Who imports and from which file: the revisions' author and note.
#[derive(Debug, Clone, Copy)]
pub struct Importer<'a> {
    pub user_id: Option<i64>,
    /// "Imported from events.json".
    pub summary: &'a str,
}

impl Loader {
    /// Gives outlet `id` a dataset's description, through the outlet write path.
    pub async fn describe_outlet(
        &mut self,
        id: i64,
        version: i64,
        fields: &crate::domain::Outlet,
        by: Importer<'_>,
    ) -> Result<()> {
        match super::outlets::write_outlet(self, id, version, fields, by.change(RevisionAction::Import))
            .await?
        {
            Saved::Saved { .. } => Ok(()),
            Saved::Conflict { current_version } => Err(Error::Internal(format!(
                "an import met outlet version {current_version} inside its own transaction"
            ))),
        }
    }
}

impl Importer<'_> {
    fn change(&self, action: RevisionAction) -> Change<'_> {
        Change {
            user_id: self.user_id,
            action,
            summary: self.summary,
        }
    }
}

fn table(entity: Entity) -> &'static str {
    match entity {
        Entity::Event => "events",
        Entity::Actor => "actors",
        Entity::Source => "sources",
        Entity::Outlet => "outlets",
    }
}

/// The key a record was first given (by an import or an export), if it has one: a
/// record found later under another key (a CSV row, a second file) keeps its first.
pub(super) async fn key_of(conn: &mut SqliteConnection, entity: Entity, id: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT key FROM import_keys WHERE entity = ?1 AND record_id = ?2 ORDER BY rowid LIMIT 1",
    )
    .bind(entity)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

impl Loader {
    /// The record an earlier import gave `key`, if it still exists (for an actor merged
    /// since: the actor it became, marked matched, since its fields are no longer the
    /// file's alone).
    pub async fn keyed(&mut self, entity: Entity, key: &str) -> Result<Option<Keyed>> {
        let found: Option<(i64, bool)> =
            sqlx::query_as("SELECT record_id, matched FROM import_keys WHERE entity = ?1 AND key = ?2")
                .bind(entity)
                .bind(key)
                .fetch_optional(&mut *self.tx)
                .await?;
        let Some((id, matched)) = found else {
            return Ok(None);
        };
        if entity == Entity::Actor {
            return Ok(super::live_actor(&mut self.tx, id).await?.map(|live| Keyed {
                id: live,
                matched: matched || live != id,
            }));
        }
        let exists: bool = sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)",
            table(entity)
        ))
        .bind(id)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(exists.then_some(Keyed { id, matched }))
    }

    /// Remembers that `key` names record `id`, which the import created or found by its
    /// key (`matched` false) or found by name, code or address (`matched` true).
    pub async fn keep_key(&mut self, entity: Entity, key: &str, id: i64, matched: bool) -> Result<()> {
        self.keep_keys(&[(entity, id, key.to_owned())], matched).await
    }

    /// Remembers the records of many keys (entity, record id, key) at once, as
    /// [`Loader::keep_key`] does one.
    pub async fn keep_keys(&mut self, keys: &[(Entity, i64, String)], matched: bool) -> Result<()> {
        super::bulk::insert_rows(
            &mut self.tx,
            "INSERT INTO import_keys (entity, key, record_id, matched)",
            "ON CONFLICT (entity, key) DO UPDATE SET record_id = excluded.record_id, matched = excluded.matched",
            4,
            keys,
            |values, (entity, id, key)| {
                values
                    .push_bind(*entity)
                    .push_bind(key.as_str())
                    .push_bind(*id)
                    .push_bind(matched);
            },
        )
        .await
    }

    /// A country by its ISO code.
    pub async fn country_with_code(&mut self, code: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM actors WHERE kind = 'country' AND iso_code = ?1")
                .bind(code)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// An actor as it stands in this transaction.
    pub async fn actor_now(&mut self, id: i64) -> Result<Actor> {
        Ok(revisions::actor(&mut self.tx, id)
            .await?
            .ok_or(Error::NotFound)?
            .0)
    }

    /// An event as it stands in this transaction, as the fields that would save it
    /// unchanged, with its status.
    pub async fn event_as_fields(&mut self, id: i64) -> Result<(EventFields, EventStatus)> {
        let (record, _) = revisions::event(&mut self.tx, id).await?.ok_or(Error::NotFound)?;
        let (fields, _) = super::editing::fields_of_record(&mut self.tx, id, &record).await?;
        Ok((fields, record.status))
    }

    /// An event's slug, if the event exists.
    pub async fn event_slug(&mut self, id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT slug FROM events WHERE id = ?1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// The citations an event has now, to be replaced by the file's.
    pub async fn citation_ids(&mut self, event_id: i64) -> Result<Vec<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM citations WHERE event_id = ?1 ORDER BY id")
                .bind(event_id)
                .fetch_all(&mut *self.tx)
                .await?,
        )
    }

    async fn savepoint(&mut self) -> Result<()> {
        sqlx::query("SAVEPOINT import_record")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Keeps what was written since the savepoint if the record changed, else undoes it.
    async fn keep_if_changed(&mut self, changed: bool) -> Result<Outcome> {
        if !changed {
            sqlx::query("ROLLBACK TO import_record")
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query("RELEASE import_record")
            .execute(&mut *self.tx)
            .await?;
        Ok(if changed {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        })
    }

    /// Creates an actor, or writes `fields` over actor `existing`.
    pub async fn import_actor(
        &mut self,
        existing: Option<i64>,
        fields: &ActorFields,
        by: Importer<'_>,
    ) -> Result<(i64, Outcome)> {
        let Some(id) = existing else {
            let id = self
                .insert_actor(
                    fields.kind,
                    &fields.name,
                    fields.iso_code.as_deref(),
                    fields.country_id,
                    &fields.description,
                )
                .await?;
            for alias in &fields.aliases {
                if super::fold(alias) != super::fold(&fields.name) {
                    self.insert_alias(id, alias).await?;
                }
            }
            revisions::record(&mut self.tx, Entity::Actor, id, by.change(RevisionAction::Import)).await?;
            return Ok((id, Outcome::Created));
        };
        let (before, version) = revisions::actor(&mut self.tx, id).await?.ok_or(Error::NotFound)?;
        self.savepoint().await?;
        expect_saved(save_actor(self, id, version, fields, by.change(RevisionAction::Edit)).await?)?;
        let after: Actor = self.actor_now(id).await?;
        Ok((id, self.keep_if_changed(after != before).await?))
    }

    /// Creates a source, or writes `source` over source `existing`.
    pub async fn import_source(
        &mut self,
        existing: Option<i64>,
        source: &Source,
        by: Importer<'_>,
    ) -> Result<(i64, Outcome)> {
        let Some(id) = existing else {
            let id = self.insert_source(source).await?;
            revisions::record(
                &mut self.tx,
                Entity::Source,
                id,
                by.change(RevisionAction::Import),
            )
            .await?;
            return Ok((id, Outcome::Created));
        };
        let (before, version) = revisions::source(&mut self.tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        self.savepoint().await?;
        expect_saved(write_source(self, id, version, source, by.change(RevisionAction::Edit)).await?)?;
        let (after, _) = revisions::source(&mut self.tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        Ok((id, self.keep_if_changed(after != before).await?))
    }

    /// Inserts an event with its own fields only (no tags, participants, citations or
    /// relations yet): the first pass of an import, so that relations between the file's
    /// events can be written in the second ([`Loader::fill_imported_event`]).
    pub async fn insert_bare_event(&mut self, fields: &EventFields, status: EventStatus) -> Result<i64> {
        self.insert_event(&NewEvent::of(fields, fields.location_country_id, status))
            .await
    }

    /// The second pass for an event the first inserted: everything else, and its first
    /// revision.
    pub async fn fill_imported_event(
        &mut self,
        id: i64,
        fields: &EventFields,
        by: Importer<'_>,
    ) -> Result<()> {
        fill_event(self, id, fields, by.change(RevisionAction::Import)).await
    }

    /// Writes `fields` and `status` over event `id`. A retracted event keeps its status
    /// (it was withdrawn for a reason a file does not give).
    pub async fn import_event(
        &mut self,
        id: i64,
        fields: &EventFields,
        status: EventStatus,
        by: Importer<'_>,
    ) -> Result<Outcome> {
        let (before, version) = revisions::event(&mut self.tx, id).await?.ok_or(Error::NotFound)?;
        self.savepoint().await?;
        expect_saved(save_event(self, id, version, fields, by.change(RevisionAction::Edit)).await?)?;
        if before.status != status && before.status != EventStatus::Retracted {
            sqlx::query(
                "UPDATE events SET status = ?2, version = version + 1, \
                        updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
            )
            .bind(id)
            .bind(status)
            .execute(&mut *self.tx)
            .await?;
            let action = match status {
                EventStatus::Published => RevisionAction::Publish,
                _ => RevisionAction::Unpublish,
            };
            revisions::record(&mut self.tx, Entity::Event, id, by.change(action)).await?;
        }
        let (after, _): (Event, i64) = revisions::event(&mut self.tx, id).await?.ok_or(Error::NotFound)?;
        self.keep_if_changed(after != before).await
    }

    /// Ends an import that was only a trial: nothing it wrote lands.
    pub async fn abandon(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Inside one write transaction no one else saves: a conflict is a bug.
fn expect_saved(saved: Saved) -> Result<()> {
    match saved {
        Saved::Saved { .. } => Ok(()),
        Saved::Conflict { current_version } => Err(Error::Internal(format!(
            "an import met version {current_version} inside its own transaction"
        ))),
    }
}

/// The published collection, whole, as typed records: each with its id and the key a
/// dataset gave it, if one did.
#[derive(Debug, Default)]
pub struct Collection {
    /// Every key any record holds, by kind (an export must not give one to another).
    pub taken_keys: std::collections::HashSet<(Entity, String)>,
    pub actors: Vec<(i64, Actor, Option<String>)>,
    pub sources: Vec<(i64, Source, Option<String>)>,
    /// The outlets those sources name that an editor described, by name.
    pub outlets: Vec<crate::domain::Outlet>,
    pub events: Vec<(i64, Event, Option<String>)>,
}

impl Db {
    /// Remembers keys an export gave records (entity, id, key), unless taken meanwhile.
    pub async fn keep_keys(&self, keys: &[(Entity, i64, String)]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for (entity, id, key) in keys {
            sqlx::query("INSERT OR IGNORE INTO import_keys (entity, key, record_id) VALUES (?1, ?2, ?3)")
                .bind(entity)
                .bind(key)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every published event, with the actors and sources it names (and the countries of
    /// those actors), in id order; read in one transaction, so the parts agree.
    pub async fn published_collection(&self) -> Result<Collection> {
        let mut tx = self.read.begin().await?;
        let mut collection = Collection::default();
        let keys: Vec<(Entity, String)> = sqlx::query_as("SELECT entity, key FROM import_keys")
            .fetch_all(&mut *tx)
            .await?;
        collection.taken_keys = keys.into_iter().collect();
        let event_ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM events WHERE status = 'published' ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;
        for id in &event_ids {
            if let Some((mut event, _)) = revisions::event(&mut tx, *id).await? {
                // Relations to events the collection leaves out would point nowhere.
                event
                    .relations
                    .retain(|r| event_ids.binary_search(&r.to_event_id).is_ok());
                let key = key_of(&mut tx, Entity::Event, *id).await?;
                collection.events.push((*id, event, key));
            }
        }
        let actor_ids: Vec<i64> = sqlx::query_scalar(
            "WITH named (id) AS ( \
               SELECT ea.actor_id FROM event_actors ea JOIN events e ON e.id = ea.event_id \
                WHERE e.status = 'published' \
               UNION SELECT location_country_id FROM events \
                WHERE status = 'published' AND location_country_id IS NOT NULL) \
             SELECT id FROM named UNION SELECT a.country_id FROM actors a \
              WHERE a.id IN (SELECT id FROM named) AND a.country_id IS NOT NULL \
             UNION SELECT o.country_id FROM outlets o \
              WHERE o.country_id IS NOT NULL AND o.name IN ( \
                SELECT s.outlet FROM sources s JOIN citations c ON c.source_id = s.id \
                  JOIN events e ON e.id = c.event_id WHERE e.status = 'published') \
             ORDER BY 1",
        )
        .fetch_all(&mut *tx)
        .await?;
        for id in actor_ids {
            if let Some((actor, _)) = revisions::actor(&mut tx, id).await? {
                let key = key_of(&mut tx, Entity::Actor, id).await?;
                collection.actors.push((id, actor, key));
            }
        }
        // The cited sources, and the sources they derive from (so that the links hold).
        let source_ids: Vec<i64> = sqlx::query_scalar(
            "WITH RECURSIVE up (id) AS ( \
               SELECT DISTINCT c.source_id FROM citations c JOIN events e ON e.id = c.event_id \
                WHERE e.status = 'published' \
               UNION SELECT s.derived_from_id FROM sources s JOIN up ON s.id = up.id \
                WHERE s.derived_from_id IS NOT NULL) \
             SELECT id FROM up ORDER BY 1",
        )
        .fetch_all(&mut *tx)
        .await?;
        for id in source_ids {
            if let Some((source, _)) = revisions::source(&mut tx, id).await? {
                let key = key_of(&mut tx, Entity::Source, id).await?;
                collection.sources.push((id, source, key));
            }
        }
        let outlet_ids: Vec<i64> = sqlx::query_scalar(
            "SELECT o.id FROM outlets o WHERE o.name IN ( \
                 SELECT s.outlet FROM sources s JOIN citations c ON c.source_id = s.id \
                   JOIN events e ON e.id = c.event_id WHERE e.status = 'published') \
              ORDER BY o.name",
        )
        .fetch_all(&mut *tx)
        .await?;
        for id in outlet_ids {
            if let Some((outlet, _)) = super::outlets::outlet(&mut tx, id).await?
                && !super::outlets::undescribed(&outlet)
            {
                collection.outlets.push(outlet);
            }
        }
        tx.commit().await?;
        Ok(collection)
    }
}

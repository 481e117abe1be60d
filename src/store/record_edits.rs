//! Editors' writes to actors and sources: fixing a name, an alias or a source's details
//! once, everywhere it appears; merging two actors that turn out to be one. Like event
//! edits, each lands only on the version the editor loaded and records a revision with
//! a full snapshot, and the events it touches have their search and filter rows
//! rewritten in the same transaction.

use sqlx::SqliteConnection;

use super::editing::Saved;
use super::loader::Loader;
use super::revisions::{self, Change, version_of};
use super::{Db, fold, slugify};
use crate::dates::{EventDate, iso_day};
use crate::domain::edit::ActorFields;
use crate::domain::{ActorKind, Entity, RevisionAction, Source};
use crate::error::{Error, OnConstraint, Result};

/// Events that name an actor, as a participant or as the country of their place.
async fn events_of_actor(conn: &mut SqliteConnection, id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT event_id FROM event_actors WHERE actor_id = ?1 \
         UNION SELECT id FROM events WHERE location_country_id = ?1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?)
}

impl Db {
    /// An actor's version, for its forms.
    pub async fn actor_version(&self, id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT version FROM actors WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    /// Where a merged actor's links lead now.
    pub async fn actor_redirect(&self, old_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT new_id FROM actor_redirects WHERE old_id = ?1")
                .bind(old_id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Saves an actor's fields and aliases if it is still at `expected_version`; its
    /// events' search and filter rows follow.
    pub async fn update_actor(
        &self,
        id: i64,
        expected_version: i64,
        fields: &ActorFields,
        user_id: i64,
        summary: &str,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        let saved = save_actor(
            &mut loader,
            id,
            expected_version,
            fields,
            Change::by(user_id, RevisionAction::Edit, summary),
        )
        .await?;
        loader.commit_saved(saved).await
    }

    /// Makes `from` and `into` one actor: `into` keeps its record and gains `from`'s name
    /// and aliases as aliases, its events, its members and its place in events' locations;
    /// `from` is removed, its last state kept in its history, and its links lead to
    /// `into`. `from` must still be at the version the editor saw, `into` at the version
    /// given (the caller reads it when the merge is asked for). Every event that named
    /// `from` gets a revision saying so.
    pub async fn merge_actors(&self, from: (i64, i64), into: (i64, i64), user_id: i64) -> Result<Saved> {
        let ((from_id, _), (into_id, into_version)) = (from, into);
        if from_id == into_id {
            return Err(Error::Invalid(
                "An actor cannot be merged into itself.".to_owned(),
            ));
        }
        let mut loader = self.loader().await?;
        for (id, expected) in [from, into] {
            let current = version_of(&mut loader.tx, Entity::Actor, id).await?;
            if current != expected {
                return Ok(Saved::Conflict {
                    current_version: current,
                });
            }
        }
        let (from_name, from_kind): (String, ActorKind) =
            sqlx::query_as("SELECT name, kind FROM actors WHERE id = ?1")
                .bind(from_id)
                .fetch_one(&mut *loader.tx)
                .await?;
        let (into_name, into_kind): (String, ActorKind) =
            sqlx::query_as("SELECT name, kind FROM actors WHERE id = ?1")
                .bind(into_id)
                .fetch_one(&mut *loader.tx)
                .await?;
        if (from_kind == ActorKind::Country) != (into_kind == ActorKind::Country) {
            return Err(Error::Invalid(format!(
                "{from_name} is a {from_kind} and {into_name} a {into_kind}: a country can only be \
                 merged with a country."
            )));
        }
        revisions::record_baseline(&mut loader.tx, Entity::Actor, from_id).await?;
        revisions::record_baseline(&mut loader.tx, Entity::Actor, into_id).await?;
        let mut events = events_of_actor(&mut loader.tx, from_id).await?;
        events.extend(events_of_actor(&mut loader.tx, into_id).await?);
        // Events citing an outlet of the merged country, or naming one of its people:
        // their verification may change.
        let weighed_again: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT c.event_id FROM citations c JOIN sources s ON s.id = c.source_id \
               JOIN outlets o ON o.name = s.outlet WHERE o.country_id = ?1 \
             UNION SELECT ea.event_id FROM event_actors ea JOIN actors a ON a.id = ea.actor_id \
              WHERE a.country_id = ?1",
        )
        .bind(from_id)
        .fetch_all(&mut *loader.tx)
        .await?;
        events.extend(weighed_again);

        events.sort_unstable();
        events.dedup();
        // Only the events that named `from` change; keep their state before the merge.
        let changed = events_of_actor(&mut loader.tx, from_id).await?;
        super::editing::record_baselines(&mut loader.tx, &changed).await?;
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM actors WHERE id = ?1 UNION SELECT alias FROM actor_aliases WHERE actor_id = ?1",
        )
        .bind(from_id)
        .fetch_all(&mut *loader.tx)
        .await?;
        for name in names.iter().filter(|n| fold(n) != fold(&into_name)) {
            loader.insert_alias(into_id, name).await?;
        }
        // A country's ISO code (unique) moves to the actor that remains, if it has none.
        let code: Option<String> = sqlx::query_scalar("SELECT iso_code FROM actors WHERE id = ?1")
            .bind(from_id)
            .fetch_one(&mut *loader.tx)
            .await?;
        for sql in [
            "INSERT OR IGNORE INTO event_actors (event_id, actor_id, role, title, position, inference) \
             SELECT event_id, ?2, role, title, position, inference FROM event_actors WHERE actor_id = ?1",
            "DELETE FROM event_actors WHERE actor_id = ?1",
            "UPDATE events SET location_country_id = ?2 WHERE location_country_id = ?1",
            "UPDATE actors SET country_id = ?2 WHERE country_id = ?1",
            "UPDATE outlets SET country_id = ?2 WHERE country_id = ?1",
            "UPDATE actor_redirects SET new_id = ?2 WHERE new_id = ?1",
            "INSERT OR REPLACE INTO actor_redirects (old_id, new_id) VALUES (?1, ?2)",
            "UPDATE actors SET iso_code = NULL WHERE id = ?1",
        ] {
            sqlx::query(sql)
                .bind(from_id)
                .bind(into_id)
                .execute(&mut *loader.tx)
                .await?;
        }
        sqlx::query("UPDATE actors SET iso_code = coalesce(iso_code, ?2) WHERE id = ?1")
            .bind(into_id)
            .bind(code)
            .execute(&mut *loader.tx)
            .await?;
        sqlx::query(
            "UPDATE actors SET version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
              WHERE id IN (?1, ?2)",
        )
        .bind(from_id)
        .bind(into_id)
        .execute(&mut *loader.tx)
        .await?;
        let into_summary = format!("{from_name} (#{from_id}) merged into this actor");
        let from_summary = format!("Merged into {into_name} (#{into_id})");
        let merge = RevisionAction::Merge;
        revisions::record(
            &mut loader.tx,
            Entity::Actor,
            from_id,
            Change::by(user_id, merge, &from_summary),
        )
        .await?;
        revisions::record(
            &mut loader.tx,
            Entity::Actor,
            into_id,
            Change::by(user_id, merge, &into_summary),
        )
        .await?;
        sqlx::query("DELETE FROM actors WHERE id = ?1")
            .bind(from_id)
            .execute(&mut *loader.tx)
            .await?;
        let note = format!("{from_name} (#{from_id}) merged into {into_name} (#{into_id})");
        super::editing::record_side_effect(&mut loader.tx, &changed, user_id, &note).await?;
        loader.events.extend(events);
        loader.commit().await?;
        Ok(Saved::Saved {
            version: into_version + 1,
        })
    }

    /// Brings back an earlier revision of an actor (name, kind, code, country,
    /// description, aliases) as a new revision, if it is still at `expected_version`,
    /// through the same write as a form save. A country merged since is followed.
    pub async fn revert_actor(
        &self,
        id: i64,
        expected_version: i64,
        from_version: i64,
        user_id: i64,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        // A stale form is a conflict before anything else, as for a form save.
        let current = version_of(&mut loader.tx, Entity::Actor, id).await?;
        if current != expected_version {
            return Ok(Saved::Conflict {
                current_version: current,
            });
        }
        let record: crate::domain::Actor = revisions::stored(&mut loader.tx, id, from_version).await?;
        let country_id = match record.country_id {
            Some(country) => super::live_actor(&mut loader.tx, country).await?,
            None => None,
        };
        let fields = ActorFields {
            name: record.name,
            kind: record.kind,
            iso_code: record.iso_code,
            country_id,
            description: record.description,
            aliases: record.aliases,
        };
        let summary = format!("Version {from_version} brought back");
        let action = RevisionAction::Revert;
        let saved = save_actor(
            &mut loader,
            id,
            expected_version,
            &fields,
            Change::by(user_id, action, &summary),
        )
        .await?;
        loader.commit_saved(saved).await
    }

    /// Brings back an earlier revision of a source as a new revision, through the same
    /// write as a form save.
    pub async fn revert_source(
        &self,
        id: i64,
        expected_version: i64,
        from_version: i64,
        user_id: i64,
    ) -> Result<Saved> {
        let mut conn = self.read.acquire().await?;
        // A stale form is a conflict before anything else, as for a form save.
        let current = version_of(&mut conn, Entity::Source, id).await?;
        if current != expected_version {
            return Ok(Saved::Conflict {
                current_version: current,
            });
        }
        let record: Source = revisions::stored(&mut conn, id, from_version).await?;
        drop(conn);
        let summary = format!("Version {from_version} brought back");
        self.save_source(
            id,
            expected_version,
            &record,
            Change::by(user_id, RevisionAction::Revert, &summary),
        )
        .await
    }

    /// The events citing a source: (id, title, slug).
    pub async fn events_citing(&self, source_id: i64) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT e.id, e.title, e.slug FROM citations c JOIN events e ON e.id = c.event_id \
              WHERE c.source_id = ?1 ORDER BY e.date_sort, e.id",
        )
        .bind(source_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Saves a source's details if it is still at `expected_version`; every event citing
    /// it shows the change.
    pub async fn update_source(
        &self,
        id: i64,
        expected_version: i64,
        fields: &Source,
        user_id: i64,
        summary: &str,
    ) -> Result<Saved> {
        self.save_source(
            id,
            expected_version,
            fields,
            Change::by(user_id, RevisionAction::Edit, summary),
        )
        .await
    }

    /// Writes a source's fields with a revision recording `change` (an edit, or a
    /// version brought back): the one write path of source form saves and reverts.
    async fn save_source(
        &self,
        id: i64,
        expected_version: i64,
        fields: &Source,
        change: Change<'_>,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        let saved = write_source(&mut loader, id, expected_version, fields, change).await?;
        loader.commit_saved(saved).await
    }

    /// Removes an event for good (an admin's action), keeping its last state in its
    /// history. Relations and citations go with it; its sources and actors stay.
    pub async fn delete_event(
        &self,
        id: i64,
        expected_version: i64,
        user_id: i64,
        reason: &str,
    ) -> Result<Saved> {
        let mut loader = self.loader().await?;
        let current = version_of(&mut loader.tx, Entity::Event, id).await?;
        if current != expected_version {
            return Ok(Saved::Conflict {
                current_version: current,
            });
        }
        let action = RevisionAction::Delete;
        revisions::record_final(
            &mut loader.tx,
            Entity::Event,
            id,
            Change::by(user_id, action, reason),
        )
        .await?;
        // Events that recorded a relation to this one lose it: their history says so.
        let relating: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT from_event_id FROM event_relations WHERE to_event_id = ?1 AND from_event_id <> ?1",
        )
        .bind(id)
        .fetch_all(&mut *loader.tx)
        .await?;
        super::editing::record_baselines(&mut loader.tx, &relating).await?;
        sqlx::query("DELETE FROM event_relations WHERE to_event_id = ?1")
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        let note = format!("Relation to deleted event #{id} removed");
        super::editing::record_side_effect(&mut loader.tx, &relating, user_id, &note).await?;
        loader.events.extend(relating);
        sqlx::query("DELETE FROM events WHERE id = ?1")
            .bind(id)
            .execute(&mut *loader.tx)
            .await?;
        // Its search document goes too; the refresh at commit finds no event to index.
        loader.events.push(id);
        loader.commit().await?;
        Ok(Saved::Saved { version: current })
    }
}

/// Writes an editor's fields over actor `id`, if it is still at `expected_version`, with
/// a revision recording `change`: the one write path of actor form saves and reverts. Its
/// events' search and filter rows follow at commit.
pub(super) async fn save_actor(
    loader: &mut Loader,
    id: i64,
    expected_version: i64,
    fields: &ActorFields,
    change: Change<'_>,
) -> Result<Saved> {
    let current = version_of(&mut loader.tx, Entity::Actor, id).await?;
    if current != expected_version {
        return Ok(Saved::Conflict {
            current_version: current,
        });
    }
    revisions::record_baseline(&mut loader.tx, Entity::Actor, id).await?;
    if let Some(code) = &fields.iso_code {
        let taken: Option<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM actors WHERE iso_code = ?1 AND id <> ?2")
                .bind(code)
                .bind(id)
                .fetch_optional(&mut *loader.tx)
                .await?;
        if let Some((other, name)) = taken {
            return Err(Error::Invalid(format!(
                "The code {code} belongs to {name} (actor #{other}) already."
            )));
        }
    }
    sqlx::query(
        "UPDATE actors SET name = ?2, slug = ?3, kind = ?4, iso_code = ?5, country_id = ?6, \
                description = ?7, version = version + 1, \
                updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1 AND version = ?8",
    )
    .bind(id)
    .bind(fields.name.trim())
    .bind(slugify(&fields.name, "actor"))
    .bind(fields.kind)
    .bind(fields.iso_code.as_deref())
    .bind(fields.country_id)
    .bind(fields.description.trim())
    .bind(expected_version)
    .execute(&mut *loader.tx)
    .await
    .map_err(Error::from)
    .on_unique("actors.iso_code", || {
        "Another country has taken this code meanwhile.".to_owned()
    })
    .on_foreign_key(|| "The country chosen was merged or deleted meanwhile; choose it again.".to_owned())?;
    sqlx::query("DELETE FROM actor_aliases WHERE actor_id = ?1")
        .bind(id)
        .execute(&mut *loader.tx)
        .await?;
    for alias in &fields.aliases {
        if fold(alias) != fold(&fields.name) {
            loader.insert_alias(id, alias).await?;
        }
    }
    let events = events_of_actor(&mut loader.tx, id).await?;
    loader.events.extend(events);
    revisions::record(&mut loader.tx, Entity::Actor, id, change).await?;
    Ok(Saved::Saved {
        version: expected_version + 1,
    })
}

/// Why source `id` cannot derive from `parent`, if it cannot: the parent must exist,
/// be another source, and not derive (through any chain) from `id`.
pub(super) async fn derivation_problem(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    parent: Option<i64>,
) -> Result<Option<String>> {
    let Some(parent) = parent else {
        return Ok(None);
    };
    if parent == id {
        return Ok(Some("A source cannot derive from itself.".to_owned()));
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sources WHERE id = ?1)")
        .bind(parent)
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(Some(format!("There is no source #{parent}.")));
    }
    let cycle: bool = sqlx::query_scalar(
        "WITH RECURSIVE above (id, depth) AS ( \
             SELECT ?1, 0 UNION SELECT s.derived_from_id, above.depth + 1 FROM sources s \
               JOIN above ON s.id = above.id WHERE s.derived_from_id IS NOT NULL AND above.depth < 64) \
         SELECT EXISTS (SELECT 1 FROM above WHERE id = ?2)",
    )
    .bind(parent)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(cycle.then(|| {
        format!(
            "Source #{parent} derives from this source already: linking them both ways would make a cycle."
        )
    }))
}

impl Db {
    /// Why source `id` cannot derive from `parent`, if it cannot (see [`derivation_problem`]).
    pub async fn derivation_problem(&self, id: i64, parent: Option<i64>) -> Result<Option<String>> {
        derivation_problem(&mut *self.read.acquire().await?, id, parent).await
    }
}

/// Writes a source's fields over source `id`, if it is still at `expected_version`, with
/// a revision recording `change`; its events' search rows follow at commit.
pub(super) async fn write_source(
    loader: &mut Loader,
    id: i64,
    expected_version: i64,
    fields: &Source,
    change: Change<'_>,
) -> Result<Saved> {
    let current = version_of(&mut loader.tx, Entity::Source, id).await?;
    if current != expected_version {
        return Ok(Saved::Conflict {
            current_version: current,
        });
    }
    if let Some(problem) = derivation_problem(&mut loader.tx, id, fields.derived_from).await? {
        return Err(Error::Invalid(problem));
    }
    revisions::record_baseline(&mut loader.tx, Entity::Source, id).await?;
    let outlet = super::outlets::current_name(&mut loader.tx, &fields.outlet).await?;
    sqlx::query(
        "UPDATE sources SET outlet = ?2, title = ?3, url = ?4, published_edtf = ?5, \
                published_earliest = ?6, author = ?7, notes = ?8, archive_url = ?10, retrieved_edtf = ?11, \
                derived_from_id = ?12, derived_note = ?13, \
                version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
          WHERE id = ?1 AND version = ?9",
    )
    .bind(id)
    .bind(&outlet)
    .bind(fields.title.trim())
    .bind(fields.url.as_deref())
    .bind(fields.published.as_ref().map(EventDate::edtf))
    .bind(fields.published.as_ref().map(|d| iso_day(d.earliest())))
    .bind(fields.author.as_deref())
    .bind(fields.notes.trim())
    .bind(expected_version)
    .bind(fields.archive_url.as_deref())
    .bind(fields.retrieved.as_ref().map(EventDate::edtf))
    .bind(fields.derived_from)
    .bind(fields.derived_note.trim())
    .execute(&mut *loader.tx)
    .await?;
    // The events citing it, or citing a source derived from it: their independent
    // sources may have changed.
    let events: Vec<i64> = sqlx::query_scalar(
        "WITH RECURSIVE below (id) AS ( \
             SELECT ?1 UNION SELECT s.id FROM sources s JOIN below ON s.derived_from_id = below.id) \
         SELECT DISTINCT event_id FROM citations WHERE source_id IN (SELECT id FROM below)",
    )
    .bind(id)
    .fetch_all(&mut *loader.tx)
    .await?;
    loader.events.extend(events);
    revisions::record(&mut loader.tx, Entity::Source, id, change).await?;
    Ok(Saved::Saved {
        version: expected_version + 1,
    })
}

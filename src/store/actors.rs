//! Actors (countries, people, organizations, facilities) and their aliases.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::FromRow;

use super::{ActorRef, Db};
use crate::error::{Error, Result};

/// Actors' short forms kept for one generation, by id (as text): the timeline's entries
/// name theirs from here (see [`Db::actor_refs`]).
pub type ActorRefs = crate::cache::GenerationCache<ActorRef>;

/// Bytes of actors' short forms kept at once: a page names about 190 actors, and ten
/// thousand fit.
pub const ACTOR_REFS_BYTES: usize = 2 * 1024 * 1024;

/// What one actor's short form weighs in [`ActorRefs`], its key and the map's slot
/// included.
pub fn actor_ref_bytes(actor: &ActorRef) -> usize {
    std::mem::size_of::<ActorRef>() + actor.name.len() + actor.slug.len() + 96
}

/// An actor as its page shows it.
#[derive(Debug, Clone, FromRow)]
pub struct Actor {
    pub id: i64,
    pub kind: crate::domain::ActorKind,
    pub name: String,
    pub slug: String,
    pub iso_code: Option<String>,
    pub country_id: Option<i64>,
    pub description: String,
}

/// A line of the actors index.
#[derive(Debug, Clone, FromRow)]
pub struct ActorListing {
    pub id: i64,
    pub kind: crate::domain::ActorKind,
    pub name: String,
    pub slug: String,
    /// Other names, in alphabetical order, as a JSON array (see [`ActorListing::aliases`]).
    #[sqlx(rename = "aliases")]
    pub aliases_json: String,
    /// Published events the actor takes part in.
    pub event_count: i64,
}

impl ActorListing {
    pub fn url(&self) -> String {
        crate::paths::actor(self.id, &self.slug)
    }

    /// Other names, in alphabetical order.
    pub fn aliases(&self) -> Vec<String> {
        serde_json::from_str(&self.aliases_json).unwrap_or_default()
    }
}

/// Whether actor `a` is public: it takes part in, or is the place of, a published event,
/// or it is the country of an actor that takes part in one (so that a person's page can
/// link their country). Others exist only in drafts or retracted events.
pub(super) const PUBLIC_ACTOR: &str = "(EXISTS (SELECT 1 FROM event_actors ea JOIN events e ON e.id = ea.event_id \
                 WHERE ea.actor_id = a.id AND e.status = 'published') \
     OR EXISTS (SELECT 1 FROM events e WHERE e.location_country_id = a.id AND e.status = 'published') \
     OR (a.kind = 'country' AND EXISTS (SELECT 1 FROM actors m JOIN event_actors ea ON ea.actor_id = m.id \
                 JOIN events e ON e.id = ea.event_id WHERE m.country_id = a.id AND e.status = 'published')))";

impl Db {
    /// Every country with an ISO code, by name, as (code, name); for readers only the
    /// public ones, so that a country known only from a draft stays unknown to them.
    pub async fn countries(&self, include_unpublished: bool) -> Result<Vec<(String, String)>> {
        countries_on(&mut *self.read.acquire().await?, include_unpublished).await
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

    /// One actor, or `None`.
    pub async fn actor(&self, id: i64) -> Result<Option<Actor>> {
        Ok(sqlx::query_as(
            "SELECT id, kind, name, slug, iso_code, country_id, description FROM actors WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    /// The short form of one actor, for links.
    pub async fn actor_ref(&self, id: i64) -> Result<Option<ActorRef>> {
        Ok(
            sqlx::query_as("SELECT id, kind, name, slug FROM actors WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// The short forms of these actors, for links, by id: kept per generation as pages ask
    /// for them (see [`ActorRefs`]), read from SQL in one statement for those not kept
    /// yet. `generation` is one read before the ids were: an actor read here is then
    /// never older than that generation, and what is kept under an older generation is
    /// never asked for once the generation has moved on.
    pub async fn actor_refs(&self, generation: i64, ids: &[i64]) -> Result<HashMap<i64, Arc<ActorRef>>> {
        let (mut found, mut missing) = self.actor_refs.get_ids(generation, ids);
        if missing.is_empty() {
            return Ok(found);
        }
        missing.sort_unstable();
        missing.dedup();
        let list = serde_json::to_string(&missing).map_err(|e| Error::Internal(e.to_string()))?;
        let rows: Vec<ActorRef> = sqlx::query_as(
            "SELECT id, kind, name, slug FROM actors WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(&list)
        .fetch_all(&self.read)
        .await?;
        for actor in rows {
            let actor = Arc::new(actor);
            self.actor_refs
                .put(generation, actor.id.to_string(), actor.clone());
            found.insert(actor.id, actor);
        }
        Ok(found)
    }

    /// An actor's other names, in the order they were recorded.
    pub async fn aliases(&self, actor_id: i64) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT alias FROM actor_aliases WHERE actor_id = ? ORDER BY id")
                .bind(actor_id)
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// The actor's roles in each of the given events ("signatory, host"), by event id.
    pub async fn actor_roles(&self, actor_id: i64, event_ids: &[i64]) -> Result<HashMap<i64, String>> {
        let list = serde_json::to_string(event_ids).map_err(|e| Error::Internal(e.to_string()))?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT event_id, group_concat(role, ', ') FROM event_actors \
             WHERE actor_id = ? AND event_id IN (SELECT value FROM json_each(?)) GROUP BY event_id",
        )
        .bind(actor_id)
        .bind(list)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// People, organizations and facilities that belong to a country (for readers, those
    /// that take part in a published event).
    pub async fn members_of_country(
        &self,
        country_id: i64,
        include_unpublished: bool,
    ) -> Result<Vec<ActorRef>> {
        Ok(sqlx::query_as(&format!(
            "SELECT id, kind, name, slug FROM actors a WHERE country_id = ?1 AND (?2 OR {PUBLIC_ACTOR}) \
             ORDER BY kind, name"
        ))
        .bind(country_id)
        .bind(include_unpublished)
        .fetch_all(&self.read)
        .await?)
    }

    /// Whether readers may see an actor (see `PUBLIC_ACTOR`).
    pub async fn actor_is_public(&self, id: i64) -> Result<bool> {
        Ok(
            sqlx::query_scalar(&format!("SELECT {PUBLIC_ACTOR} FROM actors a WHERE a.id = ?1"))
                .bind(id)
                .fetch_optional(&self.read)
                .await?
                .unwrap_or(false),
        )
    }

    /// Every actor with its aliases and number of published events, by kind then name;
    /// for readers only the public ones (see [`Db::actor_is_public`]).
    pub async fn actor_index(&self, include_unpublished: bool) -> Result<Vec<ActorListing>> {
        Ok(sqlx::query_as(&format!(
            "SELECT a.id, a.kind, a.name, a.slug, \
                    (SELECT json_group_array(alias) FROM (SELECT alias FROM actor_aliases al \
                      WHERE al.actor_id = a.id ORDER BY alias)) AS aliases, \
                    (SELECT count(DISTINCT ea.event_id) FROM event_actors ea JOIN events e ON e.id = ea.event_id \
                      WHERE ea.actor_id = a.id AND e.status = 'published') AS event_count \
             FROM actors a WHERE ?1 OR {PUBLIC_ACTOR} \
             ORDER BY CASE a.kind WHEN 'country' THEN 0 WHEN 'person' THEN 1 \
                                  WHEN 'organization' THEN 2 ELSE 3 END, a.name COLLATE NOCASE"
        ))
        .bind(include_unpublished)
        .fetch_all(&self.read)
        .await?)
    }
}

/// Countries (ISO code, name) on `conn` (see [`Db::countries`]).
pub(super) async fn countries_on(
    conn: &mut sqlx::SqliteConnection,
    include_unpublished: bool,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(&format!(
        "SELECT a.iso_code, a.name FROM actors a WHERE a.kind = 'country' AND a.iso_code IS NOT NULL \
            AND (?1 OR {PUBLIC_ACTOR}) ORDER BY a.name COLLATE NOCASE"
    ))
    .bind(include_unpublished)
    .fetch_all(&mut *conn)
    .await?)
}

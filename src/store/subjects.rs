//! Tags and source outlets as subjects of their own pages: what their indexes list and
//! what an outlet's page says about its sources. Their events come from the timeline's
//! listing ([`super::listing`]), filtered by the tag or the outlet.

use sqlx::FromRow;

use super::Db;
use crate::domain::Source;
use crate::error::Result;

/// A tag and how many published events carry it.
#[derive(Debug, Clone, FromRow)]
pub struct TagListing {
    pub name: String,
    pub events: i64,
}

/// An outlet, how many of its sources are recorded, and how many published events
/// cite them.
#[derive(Debug, Clone, FromRow)]
pub struct OutletListing {
    pub name: String,
    pub sources: i64,
    pub events: i64,
}

/// A source of an outlet, as its page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct OutletSource {
    pub id: i64,
    pub title: String,
    pub url: Option<String>,
    pub published_edtf: Option<String>,
    pub author: Option<String>,
    /// Published events citing it.
    pub events: i64,
}

impl Db {
    /// Every source (id, outlet, title, address, archived copy), by id, for
    /// `entente sources check`.
    pub async fn source_addresses(&self) -> Result<Vec<(i64, Source)>> {
        let rows = sqlx::query_as::<_, (i64, String, String, Option<String>, Option<String>)>(
            "SELECT id, outlet, title, url, archive_url FROM sources ORDER BY id",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, outlet, title, url, archive_url)| {
                let source = Source {
                    outlet,
                    title,
                    url,
                    published: None,
                    author: None,
                    notes: String::new(),
                    archive_url,
                    retrieved: None,
                    derived_from: None,
                    derived_note: String::new(),
                };
                (id, source)
            })
            .collect())
    }

    /// Every tag with its number of published events, by name; tags of unpublished
    /// events only when asked (for editors).
    pub async fn tag_index(&self, include_unpublished: bool) -> Result<Vec<TagListing>> {
        Ok(sqlx::query_as(
            "SELECT t.name, count(e.id) AS events FROM tags t \
             LEFT JOIN event_tags et ON et.tag_id = t.id \
             LEFT JOIN events e ON e.id = et.event_id AND e.status = 'published' \
             GROUP BY t.id HAVING ?1 OR count(e.id) > 0 ORDER BY t.name COLLATE NOCASE",
        )
        .bind(include_unpublished)
        .fetch_all(&self.read)
        .await?)
    }

    /// Every outlet with its sources and the published events citing them, by name.
    /// (Readers see only sources cited by published events.)
    pub async fn outlet_index(&self, include_unpublished: bool) -> Result<Vec<OutletListing>> {
        Ok(sqlx::query_as(
            "SELECT s.outlet AS name, count(DISTINCT s.id) AS sources, count(DISTINCT e.id) AS events \
             FROM sources s \
             LEFT JOIN citations c ON c.source_id = s.id \
             LEFT JOIN events e ON e.id = c.event_id AND e.status = 'published' \
             WHERE ?1 OR EXISTS (SELECT 1 FROM citations c2 JOIN events e2 ON e2.id = c2.event_id \
                                  WHERE c2.source_id = s.id AND e2.status = 'published') \
             GROUP BY s.outlet ORDER BY s.outlet COLLATE NOCASE",
        )
        .bind(include_unpublished)
        .fetch_all(&self.read)
        .await?)
    }

    /// The outlet's sources, most recently published first (undated ones last), at most
    /// `limit`, and how many it has in all.
    /// (Readers see only sources cited by published events.)
    pub async fn outlet_sources(
        &self,
        outlet: &str,
        limit: i64,
        include_unpublished: bool,
    ) -> Result<(Vec<OutletSource>, i64)> {
        // A source is listed for readers when a published event cites it.
        let visible = |flag: &str| {
            format!(
                "({flag} OR EXISTS (SELECT 1 FROM citations c2 JOIN events e2 ON e2.id = c2.event_id \
                   WHERE c2.source_id = s.id AND e2.status = 'published'))"
            )
        };
        let sources = sqlx::query_as(&format!(
            "SELECT s.id, s.title, s.url, s.published_edtf, s.author, \
                    (SELECT count(DISTINCT e.id) FROM citations c JOIN events e ON e.id = c.event_id \
                      WHERE c.source_id = s.id AND e.status = 'published') AS events \
             FROM sources s WHERE s.outlet = ?1 AND {} \
             ORDER BY s.published_earliest IS NULL, s.published_earliest DESC, s.title, s.id LIMIT ?2",
            visible("?3")
        ))
        .bind(outlet)
        .bind(limit)
        .bind(include_unpublished)
        .fetch_all(&self.read)
        .await?;
        let total = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM sources s WHERE s.outlet = ?1 AND {}",
            visible("?2")
        ))
        .bind(outlet)
        .bind(include_unpublished)
        .fetch_one(&self.read)
        .await?;
        Ok((sources, total))
    }
}

/// Whether source `s` is public: a published event cites it.
pub(super) const PUBLIC_SOURCE: &str = "EXISTS (SELECT 1 FROM citations c JOIN events e ON e.id = c.event_id \
                              WHERE c.source_id = s.id AND e.status = 'published')";

/// A published event, as a link.
#[derive(Debug, Clone, FromRow)]
pub struct EventLink {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub date_edtf: String,
}

impl Db {
    /// Sources that published events cite, by id, after id `after`, at most `limit`.
    pub async fn public_sources(&self, after: i64, limit: i64) -> Result<Vec<(i64, Source)>> {
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT s.id FROM sources s WHERE s.id > ?1 AND {PUBLIC_SOURCE} ORDER BY s.id LIMIT ?2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let mut sources = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((source, _)) = self.source_record(id).await? {
                sources.push((id, source));
            }
        }
        Ok(sources)
    }

    /// Whether a published event cites the source.
    pub async fn source_is_public(&self, id: i64) -> Result<bool> {
        Ok(
            sqlx::query_scalar(&format!("SELECT {PUBLIC_SOURCE} FROM sources s WHERE s.id = ?1"))
                .bind(id)
                .fetch_optional(&self.read)
                .await?
                .unwrap_or(false),
        )
    }

    /// The published events citing a source, in date order.
    pub async fn source_events(&self, id: i64) -> Result<Vec<EventLink>> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT e.id, e.title, e.slug, e.date_edtf, e.date_sort FROM citations c \
               JOIN events e ON e.id = c.event_id \
              WHERE c.source_id = ?1 AND e.status = 'published' ORDER BY e.date_sort, e.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }
}

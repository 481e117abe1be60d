//! The filtered timeline: a [`TimelineFilter`] becomes one SQL query with bound
//! parameters. Everything a researcher can narrow by lives here, so pages and later
//! exports share one definition of "matches".

use sqlx::{QueryBuilder, Sqlite};

use super::events::{Order, TimelineEntry};
use super::{ActorRef, Db, fold};
use crate::dates::{EventDate, iso_day};
use crate::error::Result;

/// What the timeline is narrowed to. The default shows every published event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineFilter {
    /// ISO codes; an event must involve every one of them (two codes: a country pair).
    pub countries: Vec<String>,
    /// An actor (by id) that must take part in the event.
    pub actor: Option<i64>,
    /// Event types; an event must be of one of them.
    pub types: Vec<String>,
    /// A tag the event must carry.
    pub tag: Option<String>,
    /// An outlet that must be among the event's sources.
    pub outlet: Option<String>,
    /// An event matches when any day it can stand for is on or after this date's first day.
    pub from: Option<EventDate>,
    /// ... and on or before this date's last day.
    pub to: Option<EventDate>,
    pub order: Order,
}

impl TimelineFilter {
    /// Whether anything narrows the timeline (the order does not).
    pub fn is_active(&self) -> bool {
        !self.countries.is_empty()
            || self.actor.is_some()
            || !self.types.is_empty()
            || self.tag.is_some()
            || self.outlet.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }

    /// Appends the WHERE clause for `events e`.
    fn push_where(&self, sql: &mut QueryBuilder<'_, Sqlite>) {
        sql.push(" WHERE e.status = 'published'");
        for code in &self.countries {
            // Involved: a participant, or the country where it happened.
            sql.push(
                " AND (EXISTS (SELECT 1 FROM event_actors ea JOIN actors a ON a.id = ea.actor_id \
                   WHERE ea.event_id = e.id AND a.iso_code = ",
            )
            .push_bind(code.clone())
            .push(") OR e.location_country_id = (SELECT id FROM actors WHERE iso_code = ")
            .push_bind(code.clone())
            .push("))");
        }
        if let Some(actor) = self.actor {
            sql.push(
                " AND (EXISTS (SELECT 1 FROM event_actors ea WHERE ea.event_id = e.id AND ea.actor_id = ",
            )
            .push_bind(actor)
            .push(") OR e.location_country_id = ")
            .push_bind(actor)
            .push(")");
        }
        if let Some(tag) = &self.tag {
            sql.push(
                " AND EXISTS (SELECT 1 FROM event_tags et JOIN tags t ON t.id = et.tag_id \
                   WHERE et.event_id = e.id AND t.name = ",
            )
            .push_bind(tag.clone())
            .push(")");
        }
        if let Some(outlet) = &self.outlet {
            sql.push(
                " AND EXISTS (SELECT 1 FROM citations c JOIN sources s ON s.id = c.source_id \
                   WHERE c.event_id = e.id AND s.outlet = ",
            )
            .push_bind(outlet.clone())
            .push(")");
        }
        if !self.types.is_empty() {
            sql.push(" AND e.event_type IN (");
            let mut list = sql.separated(", ");
            for event_type in &self.types {
                list.push_bind(event_type.clone());
            }
            sql.push(")");
        }
        if let Some(from) = &self.from {
            sql.push(" AND e.date_latest >= ")
                .push_bind(iso_day(from.earliest()));
        }
        if let Some(to) = &self.to {
            sql.push(" AND e.date_earliest <= ")
                .push_bind(iso_day(to.latest()));
        }
    }
}

impl Db {
    /// Published events matching `filter`, in its order, at most `limit`.
    pub async fn timeline(&self, filter: &TimelineFilter, limit: i64) -> Result<Vec<TimelineEntry>> {
        let mut sql = QueryBuilder::new(format!("SELECT {} FROM events e", super::events::ENTRY_COLUMNS));
        filter.push_where(&mut sql);
        sql.push(" ").push(super::events::order_clause(filter.order));
        sql.push(" LIMIT ").push_bind(limit);
        let entries = sql.build_query_as().fetch_all(&self.read).await?;
        self.with_actors(entries).await
    }

    /// How many published events match `filter`.
    pub async fn timeline_count(&self, filter: &TimelineFilter) -> Result<i64> {
        let mut sql = QueryBuilder::new("SELECT count(*) FROM events e");
        filter.push_where(&mut sql);
        Ok(sql.build_query_scalar().fetch_one(&self.read).await?)
    }

    /// Every tag in use, for the filter form.
    pub async fn tags(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM tags ORDER BY name")
            .fetch_all(&self.read)
            .await?)
    }

    /// Every outlet among the sources, for the filter form.
    pub async fn outlets(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT outlet FROM sources ORDER BY outlet COLLATE NOCASE")
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Actors whose name or any alias, folded (case and Latin diacritics ignored, any
    /// script), contains the folded `text`: "nasirzade", "Хренин" and "amir nasirzadeh"
    /// all find their actor. When some match a whole name exactly, only those are returned.
    pub async fn find_actors(&self, text: &str) -> Result<Vec<ActorRef>> {
        let wanted = fold(text);
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT a.id, a.kind, a.name, a.slug, al.folded FROM actors a \
             LEFT JOIN actor_aliases al ON al.actor_id = a.id ORDER BY a.name, a.id",
        )
        .fetch_all(&self.read)
        .await?;
        // Exact matches of a whole name or alias win over partial ones.
        let mut exact: Vec<ActorRef> = Vec::new();
        let mut partial: Vec<ActorRef> = Vec::new();
        for (id, kind, name, slug, alias) in names {
            let folded_name = fold(&name);
            let is_exact = folded_name == wanted || alias.as_deref() == Some(wanted.as_str());
            let is_partial = folded_name.contains(&wanted) || alias.is_some_and(|a| a.contains(&wanted));
            let list = if is_exact {
                &mut exact
            } else if is_partial {
                &mut partial
            } else {
                continue;
            };
            if !list.iter().any(|a| a.id == id) {
                list.push(ActorRef { id, kind, name, slug });
            }
        }
        partial.retain(|p| !exact.iter().any(|e| e.id == p.id));
        Ok(if exact.is_empty() { partial } else { exact })
    }

    /// Countries (ISO code, name) that take part in any event, for the filter form.
    pub async fn countries(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT iso_code, name FROM actors WHERE kind = 'country' AND iso_code IS NOT NULL \
             ORDER BY name COLLATE NOCASE",
        )
        .fetch_all(&self.read)
        .await?)
    }
}

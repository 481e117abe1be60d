//! The filtered timeline: a [`TimelineFilter`] becomes one SQL query with bound
//! parameters. Everything a researcher can narrow by lives here, so pages and later
//! exports share one definition of "matches".

use sqlx::{QueryBuilder, Sqlite};

use super::Db;
use super::events::{Order, TimelineEntry};
use crate::dates::{EventDate, iso_day};
use crate::error::Result;

/// What the timeline is narrowed to. The default shows every published event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineFilter {
    /// ISO codes; an event must involve every one of them (two codes: a country pair).
    pub countries: Vec<String>,
    /// Event types; an event must be of one of them.
    pub types: Vec<String>,
    /// An event matches when any day it can stand for is on or after this date's first day.
    pub from: Option<EventDate>,
    /// ... and on or before this date's last day.
    pub to: Option<EventDate>,
    pub order: Order,
}

impl TimelineFilter {
    /// Whether anything narrows the timeline (the order does not).
    pub fn is_active(&self) -> bool {
        !self.countries.is_empty() || !self.types.is_empty() || self.from.is_some() || self.to.is_some()
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

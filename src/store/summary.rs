//! What a filtered view adds up to: how many events match, how they spread over
//! countries, types, tags and actors (facets), and over time (the histogram).
//!
//! These aggregates read every matching event, which on a large collection costs far
//! more than one page of it; so each view's summary is kept in memory, keyed by its
//! filter, and thrown away as soon as the generation (bumped by every write, see
//! [`super::derived`]) moves on. A cached summary is therefore never stale.

use std::sync::Arc;

use sqlx::{QueryBuilder, Sqlite};

use super::Db;
use crate::cache::GenerationCache;
use crate::domain::filter::TimelineFilter;
use crate::error::Result;

/// How many values each facet lists (the page shows the first few, the rest on demand).
pub const FACET_LIMIT: i64 = 30;

/// One value of a facet and how many matching events have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    /// What the filter parameter takes: an ISO code, an actor id, a type, a tag.
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// Matching events in one period. `period` is `yyyy` or `yyyy-mm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodCount {
    pub period: String,
    pub count: i64,
}

/// The aggregates of one view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub total: i64,
    pub countries: Vec<FacetValue>,
    pub types: Vec<FacetValue>,
    pub tags: Vec<FacetValue>,
    /// People, organizations and facilities taking part (not those only reporting or
    /// mentioned).
    pub actors: Vec<FacetValue>,
    /// Verification statuses as readers see them.
    pub verification: Vec<FacetValue>,
    /// Events dated to a month or a day, per month of their sort day.
    pub months: Vec<PeriodCount>,
    /// All events per year of their sort day (year- and season-precision ones included).
    pub years: Vec<PeriodCount>,
}

/// Summaries of recently seen views, valid for one generation.
pub type SummaryCache = GenerationCache<Summary>;

/// Bytes of summaries kept at once: a summary takes 2 to 30 KB (its facets, and a count
/// per month of the years it spans), so the last few hundred views, within the server's
/// memory budget (docs/architecture.md, "Memory").
pub const CACHE_BYTES: usize = 4 * 1024 * 1024;

impl Summary {
    /// About how many bytes the summary takes, for its cache to weigh it.
    pub fn heap_bytes(&self) -> usize {
        let facet = |values: &Vec<FacetValue>| -> usize {
            values.capacity() * std::mem::size_of::<FacetValue>()
                + values
                    .iter()
                    .map(|v| v.value.capacity() + v.label.capacity())
                    .sum::<usize>()
        };
        let periods = |values: &Vec<PeriodCount>| -> usize {
            values.capacity() * std::mem::size_of::<PeriodCount>()
                + values.iter().map(|p| p.period.capacity()).sum::<usize>()
        };
        std::mem::size_of::<Summary>()
            + facet(&self.countries)
            + facet(&self.types)
            + facet(&self.tags)
            + facet(&self.actors)
            + facet(&self.verification)
            + periods(&self.months)
            + periods(&self.years)
    }
}

impl Db {
    /// To call after every committed write: summarises the unfiltered timeline (the most
    /// visited view, and the costliest to summarise: every published event) for the new
    /// generation in the background, so that its next reader does not wait for it.
    pub(crate) fn after_write(&self) {
        // Only a server has readers to summarise for: a command (an import, the
        // fixture) would spend seconds of SQL at a million events on a summary no one
        // reads, beside its own work.
        if !self.keeps_read_index() {
            return;
        }
        let db = self.clone();
        tokio::spawn(async move {
            if let Err(e) = db.summary(&TimelineFilter::default()).await
                && !db.read.is_closed()
            {
                tracing::warn!("summarising the timeline after a write: {e}");
            }
        });
    }

    /// Whether the summary of `filter` for the current generation is at hand.
    pub async fn summary_is_cached(&self, filter: &TimelineFilter) -> Result<bool> {
        let generation = self.generation().await?;
        Ok(self.summaries.get(generation, &filter.cache_key()).is_some())
    }

    /// The aggregates of the events matching `filter` (its sort does not matter).
    pub async fn summary(&self, filter: &TimelineFilter) -> Result<Arc<Summary>> {
        let generation = self.generation().await?;
        let key = filter.cache_key();
        if let Some(summary) = self.summaries.get(generation, &key) {
            return Ok(summary);
        }
        let summary = match self
            .ask_read_index(filter, false, |index, search| index.summary(filter, search))
            .await?
        {
            Some(summary) => summary,
            None => self.summary_from_sql(filter).await?,
        };
        let summary = Arc::new(summary);
        self.summaries.put(generation, key, summary.clone());
        Ok(summary)
    }

    /// The summary of `filter` when it is cached or counted within `limit`; None when
    /// counting takes longer (at once, with a zero limit). The count then goes on in the background and caches its
    /// answer, so that the page can say so and fill in on reload instead of keeping its
    /// reader waiting (at a million events SQL's facets take seconds when the read
    /// index cannot answer).
    pub async fn summary_within(
        &self,
        filter: &TimelineFilter,
        limit: std::time::Duration,
    ) -> Result<Option<Arc<Summary>>> {
        let generation = self.generation().await?;
        if let Some(summary) = self.summaries.get(generation, &filter.cache_key()) {
            return Ok(Some(summary));
        }
        let db = self.clone();
        let filter = filter.clone();
        let counting = tokio::spawn(async move {
            let summary = db.summary(&filter).await;
            if let Err(e) = &summary
                && !db.read.is_closed()
            {
                tracing::warn!("counting a view: {e}");
            }
            summary
        });
        if limit.is_zero() {
            // No wait at all: what is not counted yet is counted for the next reader.
            return Ok(None);
        }
        match tokio::time::timeout(limit, counting).await {
            Ok(Ok(summary)) => summary.map(Some),
            Ok(Err(e)) => Err(crate::error::Error::Internal(format!("counting a view: {e}"))),
            Err(_) => Ok(None),
        }
    }

    /// The summary as the read index gives it, when it can (not cached).
    pub async fn summary_from_read_index(&self, filter: &TimelineFilter) -> Result<Option<Summary>> {
        self.ask_read_index(filter, false, |index, search| index.summary(filter, search))
            .await
    }

    /// The summary as SQL counts it (not cached).
    pub async fn summary_from_sql(&self, filter: &TimelineFilter) -> Result<Summary> {
        let matching = |sql: &mut QueryBuilder<'_, Sqlite>| {
            sql.push("(SELECT e.id FROM events e");
            filter.push_from_where(sql);
            sql.push(")");
        };

        let total = self.timeline_count_sql(filter).await?;

        let mut sql = QueryBuilder::new(
            "SELECT a.iso_code, a.name, count(*) AS n FROM event_countries ec \
             JOIN actors a ON a.id = ec.country_id WHERE ec.event_id IN ",
        );
        matching(&mut sql);
        sql.push(" GROUP BY ec.country_id ORDER BY n DESC, a.name, a.id LIMIT ")
            .push_bind(FACET_LIMIT);
        let countries = facet(sql.build_query_as().fetch_all(&self.read).await?);

        let mut sql = QueryBuilder::new("SELECT e.event_type, e.event_type, count(*) AS n FROM events e");
        filter.push_from_where(&mut sql);
        sql.push(" GROUP BY e.event_type ORDER BY n DESC, e.event_type");
        let types = facet(sql.build_query_as().fetch_all(&self.read).await?);

        let mut sql = QueryBuilder::new(
            "SELECT t.name, t.name, count(*) AS n FROM event_tags et JOIN tags t ON t.id = et.tag_id \
             WHERE et.event_id IN ",
        );
        matching(&mut sql);
        sql.push(" GROUP BY et.tag_id ORDER BY n DESC, t.name LIMIT ")
            .push_bind(FACET_LIMIT);
        let tags = facet(sql.build_query_as().fetch_all(&self.read).await?);

        let mut sql = QueryBuilder::new(
            "SELECT CAST(a.id AS TEXT), a.name, count(DISTINCT ea.event_id) AS n \
             FROM event_actors ea JOIN actors a ON a.id = ea.actor_id \
             WHERE a.kind <> 'country' AND ea.role NOT IN ('reporter', 'mentioned') AND ea.event_id IN ",
        );
        matching(&mut sql);
        sql.push(" GROUP BY ea.actor_id ORDER BY n DESC, a.name, a.id LIMIT ")
            .push_bind(FACET_LIMIT);
        let actors = facet(sql.build_query_as().fetch_all(&self.read).await?);

        let mut sql = QueryBuilder::new(
            "SELECT p.shown, p.shown, count(*) AS n FROM event_provenance p WHERE p.event_id IN ",
        );
        matching(&mut sql);
        sql.push(" GROUP BY p.shown ORDER BY n DESC, p.shown");
        let verification = facet(sql.build_query_as().fetch_all(&self.read).await?);

        let mut sql = QueryBuilder::new("SELECT substr(e.date_sort, 1, 7) AS month, count(*) FROM events e");
        filter.push_from_where(&mut sql);
        sql.push(" AND e.date_precision IN ('month', 'day') GROUP BY month ORDER BY month");
        let months = periods(sql.build_query_as().fetch_all(&self.read).await?);

        let mut sql = QueryBuilder::new("SELECT substr(e.date_sort, 1, 4) AS year, count(*) FROM events e");
        filter.push_from_where(&mut sql);
        sql.push(" GROUP BY year ORDER BY year");
        let years = periods(sql.build_query_as().fetch_all(&self.read).await?);

        Ok(Summary {
            total,
            countries,
            types,
            tags,
            actors,
            verification,
            months,
            years,
        })
    }
}

fn facet(rows: Vec<(Option<String>, String, i64)>) -> Vec<FacetValue> {
    rows.into_iter()
        .filter_map(|(value, label, count)| {
            Some(FacetValue {
                value: value?,
                label,
                count,
            })
        })
        .collect()
}

fn periods(rows: Vec<(String, i64)>) -> Vec<PeriodCount> {
    rows.into_iter()
        .map(|(period, count)| PeriodCount { period, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(values: usize, months: usize) -> Summary {
        let value = |n: usize| FacetValue {
            value: format!("value {n}"),
            label: format!("label of value {n}"),
            count: 1,
        };
        Summary {
            total: 1,
            countries: (0..values).map(value).collect(),
            types: Vec::new(),
            tags: (0..values).map(value).collect(),
            actors: Vec::new(),
            verification: Vec::new(),
            months: (0..months)
                .map(|n| PeriodCount {
                    period: format!("{:04}-{:02}", 2000 + n / 12, n % 12 + 1),
                    count: 1,
                })
                .collect(),
            years: Vec::new(),
        }
    }

    #[test]
    fn a_summary_weighs_its_facets_and_its_histogram() {
        let empty = summary(0, 0).heap_bytes();
        let facets = summary(30, 0).heap_bytes();
        let histogram = summary(0, 360).heap_bytes();
        // Each facet value holds two strings beside its own size; each month one.
        assert!(
            facets >= empty + 60 * std::mem::size_of::<FacetValue>() + 60 * 20,
            "{facets}"
        );
        assert!(
            histogram >= empty + 360 * (std::mem::size_of::<PeriodCount>() + 7),
            "{histogram}"
        );
        // A cache of CACHE_BYTES keeps hundreds of such views, not thousands.
        let typical = summary(30, 360).heap_bytes();
        assert!((100..2000).contains(&(CACHE_BYTES / typical)), "{typical}");
    }
}

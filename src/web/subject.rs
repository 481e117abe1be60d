//! The events of one subject (an actor, a country, a tag, an outlet), as its page shows
//! them: the timeline filtered by that subject, with the same count, histogram, facets
//! and first page, and a link that continues on the timeline itself, where the reader
//! can narrow, search and page further. One listing, one way to filter.

use super::AppState;
use super::facets::{FacetGroup, Histogram, facet_groups, histogram};
use super::timeline::{DEFAULT_PAGE_SIZE, View};
use super::view::EntryView;
use crate::domain::filter::{Order, Sort, TimelineFilter};
use crate::error::Result;

/// What a subject page lists.
pub struct SubjectEvents {
    /// Published events of the subject (0 while `counting`).
    pub total: i64,
    /// The count, facets and histogram were not ready in time (see
    /// [`crate::store::Db::summary_within`]): the page says so and is not cached.
    pub counting: bool,
    /// The first of them, oldest first.
    pub entries: Vec<EntryView>,
    pub histogram: Option<Histogram>,
    pub facets: Vec<FacetGroup>,
    /// The subject's events on the timeline.
    pub timeline_url: String,
    /// The timeline's second page, when there are more events than this page lists.
    pub more_url: Option<String>,
    /// The subject's events as files and as a feed.
    pub exports: super::timeline_export::ExportLinks,
}

impl SubjectEvents {
    /// The events matching `filter`, oldest first. With `roles_of`, each entry also says
    /// that actor's role in the event.
    pub async fn load(
        state: &AppState,
        filter: TimelineFilter,
        roles_of: Option<i64>,
    ) -> Result<SubjectEvents> {
        let view = View {
            filter: TimelineFilter {
                sort: Sort::Date(Order::Asc),
                ..filter
            },
            limit: DEFAULT_PAGE_SIZE,
            cursor: None,
        };
        let page = state.db.timeline_page(&view.filter, None, view.limit).await?;
        let summary = state
            .db
            .summary_within(&view.filter, state.facet_time_limit)
            .await?;
        let mut roles = match roles_of {
            Some(actor) => {
                let ids: Vec<i64> = page.entries.iter().map(|e| e.id).collect();
                state.db.actor_roles(actor, &ids).await?
            }
            None => Default::default(),
        };
        let entries = page
            .entries
            .into_iter()
            .map(|mut entry| {
                entry.role = roles.remove(&entry.id);
                EntryView::new(entry)
            })
            .collect();
        let more_url = page.after.map(|cursor| {
            View {
                cursor: Some(cursor),
                ..view.clone()
            }
            .url()
        });
        Ok(SubjectEvents {
            total: summary.as_ref().map_or(0, |s| s.total),
            counting: summary.is_none(),
            entries,
            histogram: summary.as_ref().and_then(|s| histogram(&view, s)),
            facets: summary
                .as_ref()
                .map(|s| facet_groups(&view, s))
                .unwrap_or_default(),
            timeline_url: view.url(),
            more_url,
            exports: super::timeline_export::ExportLinks::new(&view),
        })
    }
}

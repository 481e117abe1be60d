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
    /// Published events of the subject.
    pub total: i64,
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
        let summary = state.db.summary(&view.filter).await?;
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
            total: summary.total,
            entries,
            histogram: histogram(&view, &summary),
            facets: facet_groups(&view, &summary),
            timeline_url: view.url(),
            more_url,
            exports: super::timeline_export::ExportLinks::new(&view),
        })
    }
}

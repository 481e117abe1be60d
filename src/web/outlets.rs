//! Source outlets: an index of every outlet, and a page per outlet with its sources and
//! the events citing them (the timeline filtered by the outlet).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::extract::PathParams;
use super::session::Viewer;
use super::subject::SubjectEvents;
use super::view::{human_date, web_link};
use crate::domain::filter::TimelineFilter;
use crate::error::{Error, Result};
use crate::store::subjects::{OutletListing, OutletSource};

/// Sources an outlet's page lists, most recent first.
const SOURCES_LISTED: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "outlet_index.html")]
pub struct OutletIndexPage {
    outlets: Vec<OutletListing>,
}

pub async fn index(State(state): State<AppState>, viewer: Viewer) -> Result<OutletIndexPage> {
    Ok(OutletIndexPage {
        outlets: state.db.outlet_index(viewer.is_editor()).await?,
    })
}

/// A source as the outlet's page lists it.
pub struct SourceView {
    pub source: OutletSource,
    /// The source's address, when it is a web address that is safe to link.
    pub link: Option<String>,
    /// The publication date for readers ("31 July 2023", "May 2023").
    pub published: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "outlet_show.html")]
pub struct OutletPage {
    name: String,
    /// What kind of publisher it is ("News agency"); none while unidentified.
    kind: Option<&'static str>,
    country: Option<crate::store::ActorRef>,
    language: String,
    note: String,
    /// For editors: the outlet's edit form and history.
    edit_url: Option<String>,
    history_url: Option<String>,
    sources: Vec<SourceView>,
    /// How many sources of the outlet are recorded in all.
    source_total: i64,
    events: SubjectEvents,
}

/// `/outlets/{name}`; outlets match whatever their case (as the timeline's `outlet`
/// filter does) and lead to the name as it is stored.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(name): PathParams<String>,
) -> Result<Response> {
    // Readers know only the outlets cited by published events.
    let outlets = state.db.outlets(viewer.is_editor()).await?;
    let Some(outlet) = super::view::stored_spelling(&outlets, &name) else {
        // A name the outlet had before a rename leads to its name now.
        return match state.db.outlet_renamed(&name).await? {
            Some(now) => Ok(Redirect::permanent(&crate::paths::outlet(&now)).into_response()),
            None => Err(Error::NotFound),
        };
    };
    if *outlet != name {
        return Ok(Redirect::permanent(&crate::paths::outlet(outlet)).into_response());
    }
    let (sources, source_total) = state
        .db
        .outlet_sources(outlet, SOURCES_LISTED, viewer.is_editor())
        .await?;
    let filter = TimelineFilter {
        outlet: Some(outlet.clone()),
        ..TimelineFilter::default()
    };
    let events = SubjectEvents::load(&state, filter, None).await?;
    let record = state.db.outlet_named(outlet).await?;
    let country = match record.as_ref().and_then(|r| r.outlet.country_id) {
        Some(id) => state.db.actor_ref(id).await?,
        None => None,
    };
    let editor = viewer.is_editor();
    let counting = events.counting;
    let page = OutletPage {
        kind: record
            .as_ref()
            .map(|r| r.outlet.kind)
            .filter(|k| *k != crate::domain::OutletKind::Unidentified)
            .map(crate::domain::OutletKind::label),
        country,
        language: record
            .as_ref()
            .map(|r| r.outlet.language.clone())
            .unwrap_or_default(),
        note: record.as_ref().map(|r| r.outlet.note.clone()).unwrap_or_default(),
        edit_url: record
            .as_ref()
            .filter(|_| editor)
            .map(|r| crate::paths::outlet_edit(r.id)),
        history_url: record
            .as_ref()
            .filter(|_| editor)
            .map(|r| crate::paths::history(crate::domain::Entity::Outlet, r.id)),
        sources: sources
            .into_iter()
            .map(|source| SourceView {
                published: source.published_edtf.as_deref().map(human_date),
                link: web_link(source.url.as_deref()),
                source,
            })
            .collect(),
        name,
        source_total,
        events,
    }
    .into_response();
    Ok(super::page_cache::not_stored_when(counting, page))
}

//! Tags: an index of every tag, and a page per tag with its events (the timeline
//! filtered by the tag).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::extract::PathParams;
use super::session::Viewer;
use super::subject::SubjectEvents;
use crate::domain::filter::TimelineFilter;
use crate::error::{Error, Result};
use crate::store::subjects::TagListing;

#[derive(Template, WebTemplate)]
#[template(path = "tag_index.html")]
pub struct TagIndexPage {
    tags: Vec<TagListing>,
}

pub async fn index(State(state): State<AppState>, viewer: Viewer) -> Result<TagIndexPage> {
    Ok(TagIndexPage {
        tags: state.db.tag_index(viewer.is_editor()).await?,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "tag_show.html")]
pub struct TagPage {
    name: String,
    events: SubjectEvents,
}

/// `/tags/{name}`; another capitalization of a tag leads to the tag as it is spelled.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(name): PathParams<String>,
) -> Result<Response> {
    // Readers know only the tags of published events.
    let tags = state.db.tags(viewer.is_editor()).await?;
    let Some(tag) = super::view::stored_spelling(&tags, &name) else {
        return Err(Error::NotFound);
    };
    if *tag != name {
        return Ok(Redirect::permanent(&crate::paths::tag(tag)).into_response());
    }
    let filter = TimelineFilter {
        tag: Some(tag.clone()),
        ..TimelineFilter::default()
    };
    let events = SubjectEvents::load(&state, filter, None).await?;
    let counting = events.counting;
    Ok(super::page_cache::not_stored_when(
        counting,
        TagPage { name, events }.into_response(),
    ))
}

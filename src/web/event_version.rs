//! A saved version of a published event at its own address
//! (`/events/19/{slug}/v/3`), rendered from its revision's snapshot, so that a reader
//! can cite the exact text they read; a banner links the current version and names what
//! has changed since. The event page lists its corrections (each change after
//! publication, with its date and note), each linking its version.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::extract::PathParams;
use super::session::Viewer;
use crate::domain::{Entity, Event, EventStatus, RevisionAction};
use crate::error::{Error, Result};
use crate::store::revisions::Revision;

#[derive(Template, WebTemplate)]
#[template(path = "event_version.html")]
pub struct VersionPage {
    title: String,
    version: i64,
    /// When the version was saved (UTC day).
    saved_on: String,
    /// The editor's note on the change.
    note: String,
    current_version: i64,
    current_url: String,
    /// Labels of the fields that differ now ("Title", "Sources"…).
    changed_since: Vec<&'static str>,
    fields: Vec<(&'static str, Vec<String>)>,
}

/// A change after an event was first published, as its page lists it.
pub struct Correction {
    pub on: String,
    pub what: String,
    /// The version it made, when readers may read it.
    pub url: Option<String>,
}

/// The changes after the first publication of an event, oldest first: the date, the
/// editor's note (or what kind of change it was), and a link to the version it made.
pub fn corrections(id: i64, slug: &str, revisions: &[Revision]) -> Vec<Correction> {
    let mut oldest_first: Vec<&Revision> = revisions.iter().collect();
    oldest_first.sort_by_key(|r| r.version);
    let Some(first) = oldest_first
        .iter()
        .position(|r| r.action == RevisionAction::Publish || published(r))
    else {
        return Vec::new();
    };
    oldest_first[first + 1..]
        .iter()
        .filter(|r| {
            matches!(
                r.action,
                RevisionAction::Edit
                    | RevisionAction::Revert
                    | RevisionAction::Retract
                    | RevisionAction::Restore
            )
        })
        .map(|r| Correction {
            on: r.created_at.get(..10).unwrap_or(&r.created_at).to_owned(),
            what: if r.summary.trim().is_empty() {
                r.action.label().to_owned()
            } else {
                r.summary.clone()
            },
            url: published(r).then(|| crate::paths::event_version(id, slug, r.version)),
        })
        .collect()
}

/// Whether a revision keeps the event as published.
fn published(revision: &Revision) -> bool {
    revision
        .record::<Event>()
        .is_ok_and(|event| event.status == EventStatus::Published)
}

/// `/events/{id}/{slug}/v/{version}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams((id, slug, version)): PathParams<(i64, String, i64)>,
) -> Result<Response> {
    let detail = state.db.event(id).await?.ok_or(Error::NotFound)?;
    let (current, current_version) = state.db.event_record(id).await?.ok_or(Error::NotFound)?;
    // Readers cite versions of an event they can read; editors see every version.
    if !viewer.is_editor() && current.status != EventStatus::Published {
        return Err(Error::NotFound);
    }
    let revisions = state.db.revisions_of(Entity::Event, id).await?;
    let revision = revisions
        .iter()
        .find(|r| r.version == version)
        .ok_or(Error::NotFound)?;
    let record: Event = revision.record()?;
    if !viewer.is_editor() && record.status != EventStatus::Published {
        return Err(Error::NotFound);
    }
    if slug != detail.event.slug {
        return Ok(
            Redirect::permanent(&crate::paths::event_version(id, &detail.event.slug, version))
                .into_response(),
        );
    }
    let fields = super::history::event_fields(&record);
    let now = super::history::event_fields(&current);
    let changed_since = fields
        .iter()
        .zip(&now)
        .filter(|((_, then), (_, now))| then != now)
        .map(|((label, _), _)| *label)
        .collect();
    Ok(VersionPage {
        title: record.title.clone(),
        version,
        saved_on: revision
            .created_at
            .get(..10)
            .unwrap_or(&revision.created_at)
            .to_owned(),
        note: revision.summary.clone(),
        current_version,
        current_url: crate::paths::event(id, &detail.event.slug),
        changed_since,
        fields,
    }
    .into_response())
}

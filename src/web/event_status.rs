//! Publishing, unpublishing, retracting (with a reason) and restoring an event.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::event_edit::load;
use super::event_show::{EditorTools, EventPage};
use super::extract::{Form, PathParams};
use super::session::{self, Editor};
use crate::domain::edit::StatusChange;
use crate::error::{Error, Result};
use crate::store::editing::Saved;

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// Publish, unpublish, retract (with a reason) or restore.
pub async fn change_status(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response> {
    let change = StatusChange::parse(&form.action)
        .ok_or_else(|| Error::BadRequest(format!("“{}” is not a status change.", form.action)))?;
    let version = super::form::form_version(&form.version)?;
    if change == StatusChange::Retract && !crate::domain::text::has_visible(&form.reason) {
        return Err(Error::Invalid(
            "Say why the event is retracted: readers are shown the reason.".to_owned(),
        ));
    }
    let too_long = crate::domain::text::too_long(
        "the reason",
        form.reason.trim(),
        crate::domain::text::MAX_NOTE_CHARS,
    );
    if let Some(message) = too_long {
        return Err(Error::Invalid(message));
    }
    match state
        .db
        .change_event_status(id, version, change, &form.reason, user.id)
        .await?
    {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, event = id, action = change.action().as_str(), "status changed");
            let notice = match change {
                StatusChange::Publish => "Published: readers can see it now.",
                StatusChange::Unpublish => "Unpublished: back to a draft, hidden from readers.",
                StatusChange::Retract => "Retracted: readers see only that it was withdrawn, and why.",
                StatusChange::Restore => "Restored as a draft: check it, then publish it again.",
            };
            session::set_notice(&session, notice).await?;
            Ok(Redirect::to(&crate::paths::event_short(id)).into_response())
        }
        Saved::Conflict { .. } => {
            // The event as it is now, with the typed reason kept: the editor checks the
            // other change and sends the same form again, now on the newer version.
            let detail = load(&state, id).await?;
            let mut tools = EditorTools::new(&detail, &viewer);
            tools.conflict = Some(
                "Someone changed this event after you loaded the page, so nothing was changed. \
                 The event is shown as it is now: check it, then try again."
                    .to_owned(),
            );
            tools.retract_reason = form.reason.trim().to_owned();
            let page = EventPage::for_editor(detail, tools);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

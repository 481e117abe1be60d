//! Deleting an event for good (admins only), after confirming with a reason; its
//! address then says it was deleted, and its history keeps its last state.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::event_edit::load;
use super::extract::{Form, PathParams};
use super::form::stale;
use super::session::{self, Admin, CSRF_FIELD};
use crate::error::Result;
use crate::store::editing::Saved;

#[derive(Template, WebTemplate)]
#[template(path = "event_delete.html")]
pub struct DeletePage {
    id: i64,
    title: String,
    event_url: String,
    version: i64,
    error: Option<String>,
    csrf: String,
    csrf_field: &'static str,
}

/// The confirmation page of a deletion (admins only).
pub async fn delete_form(
    State(state): State<AppState>,
    Admin(_, viewer): Admin,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    Ok(DeletePage {
        id,
        title: detail.event.title.clone(),
        event_url: crate::paths::event(id, &detail.event.slug),
        version: detail.event.version,
        error: None,
        csrf: viewer.csrf,
        csrf_field: CSRF_FIELD,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    version: String,
}

/// Deletes an event for good, once confirmed with a reason.
pub async fn delete(
    State(state): State<AppState>,
    Admin(user, viewer): Admin,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    let version = super::form::form_version(&form.version)?;
    let problem = if form.reason.trim().is_empty() {
        Some("Say why the event is deleted; the reason stays in its history.")
    } else if form.confirm.is_none() {
        Some("Tick the box to confirm that the event is to be deleted for good.")
    } else {
        None
    };
    if let Some(problem) = problem {
        let page = DeletePage {
            id,
            title: detail.event.title.clone(),
            event_url: crate::paths::event(id, &detail.event.slug),
            version,
            error: Some(problem.to_owned()),
            csrf: viewer.csrf,
            csrf_field: CSRF_FIELD,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match state.db.delete_event(id, version, user.id, &form.reason).await? {
        Saved::Saved { .. } => {
            tracing::info!(admin = %user.name, event = id, "event deleted");
            session::set_notice(
                &session,
                &format!(
                    "“{}” is deleted. Its history keeps its last state.",
                    detail.event.title
                ),
            )
            .await?;
            Ok(Redirect::to(crate::paths::changes()).into_response())
        }
        Saved::Conflict { .. } => Err(stale("event")),
    }
}

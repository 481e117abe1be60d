//! Merging two records of one actor: the one that remains gains the other's names,
//! events, members and places; links to the other lead to it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::actor_edit::find_actor;
use super::extract::{Form, PathParams};
use super::form::stale;
use super::session::{self, CSRF_FIELD, Editor};
use crate::error::{Error, Result};
use crate::store::actors::Actor;
use crate::store::editing::Saved;

/// The merge form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeForm {
    /// The actor this one is the same as: a name, an alias or `#id`.
    #[serde(default)]
    into: String,
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "actor_merge.html")]
pub struct MergePage {
    actor: Actor,
    into: String,
    version: i64,
    error: Option<String>,
    csrf: String,
    csrf_field: &'static str,
}

pub async fn merge_form(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let actor = find_actor(&state, id).await?;
    Ok(MergePage {
        version: state.db.actor_version(id).await?.unwrap_or(1),
        actor,
        into: String::new(),
        error: None,
        csrf: viewer.csrf,
        csrf_field: CSRF_FIELD,
    }
    .into_response())
}

pub async fn merge(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response> {
    let actor = find_actor(&state, id).await?;
    let version = super::form::form_version(&form.version)?;
    let text = form.into.trim();
    let target = if text.is_empty() {
        Err("Name the actor this one is the same as.".to_owned())
    } else if let Some(number) = text.strip_prefix('#').and_then(|t| t.split_whitespace().next()) {
        match number.parse::<i64>() {
            Ok(other) if state.db.actor_ref(other).await?.is_some() => Ok(other),
            _ => Err(format!("There is no actor {text}.")),
        }
    } else {
        let found: Vec<_> = state
            .db
            .find_actors(text)
            .await?
            .into_iter()
            .filter(|a| a.id != id)
            .collect();
        match found.as_slice() {
            [one] => Ok(one.id),
            [] => Err(format!("No other actor is called “{text}”.")),
            many => Err(format!(
                "“{text}” matches several actors: {}. Type the number of the one you mean.",
                many.iter()
                    .take(8)
                    .map(|a| format!("{} (#{})", a.name, a.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    };
    let target = match (target, form.confirm.is_some()) {
        (Ok(target), true) if target != id => Ok(target),
        (Ok(_), true) => Err("An actor cannot be merged into itself.".to_owned()),
        (Ok(_), false) => Err("Tick the box to confirm the merge.".to_owned()),
        (Err(message), _) => Err(message),
    };
    let into = match target {
        Ok(into) => into,
        Err(message) => {
            let page = MergePage {
                actor,
                into: form.into.clone(),
                version,
                error: Some(message),
                csrf: viewer.csrf,
                csrf_field: CSRF_FIELD,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let into_version = state.db.actor_version(into).await?.ok_or(Error::NotFound)?;
    match state
        .db
        .merge_actors((id, version), (into, into_version), user.id)
        .await?
    {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, from = id, into, "actors merged");
            session::set_notice(
                &session,
                &format!(
                    "{} is merged into this actor: its names are aliases here, its events are this actor's, and its old links lead here.",
                    actor.name
                ),
            )
            .await?;
            Ok(Redirect::to(&crate::paths::actor_short(into)).into_response())
        }
        Saved::Conflict { .. } => Err(stale("actor")),
    }
}

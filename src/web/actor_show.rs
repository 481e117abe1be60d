//! One actor: its names in every script, its country, and its events in order.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Redirect;

use super::AppState;
use super::extract::PathParams;
use super::session::Viewer;
use super::subject::SubjectEvents;
use crate::domain::filter::TimelineFilter;
use crate::error::{Error, Result};
use crate::store::ActorRef;
use crate::store::actors::Actor;

#[derive(Template, WebTemplate)]
#[template(path = "actor_show.html")]
pub struct ActorPage {
    actor: Actor,
    kind_label: &'static str,
    aliases: Vec<String>,
    country: Option<ActorRef>,
    members: Vec<ActorRef>,
    /// The actor's events: the timeline filtered by the actor.
    events: SubjectEvents,
    /// Editors get links to edit and merge.
    editor: bool,
    /// What a shared link's preview says.
    share_description: String,
}

/// `/actors/{id}` and outdated slugs lead to the canonical address.
pub async fn redirect_to_canonical(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<String>,
) -> Result<Redirect> {
    let actor = find(&state, &id).await?;
    if !viewer.is_editor() && !state.db.actor_is_public(actor.id).await? {
        return Err(Error::NotFound);
    }
    Ok(Redirect::permanent(&canonical_url(&actor)))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams((id, slug)): PathParams<(String, String)>,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let actor = find(&state, &id).await?;
    // An actor named only by drafts or retracted events does not exist for readers.
    if !viewer.is_editor() && !state.db.actor_is_public(actor.id).await? {
        return Err(Error::NotFound);
    }
    if actor.slug != slug || actor.id.to_string() != id {
        return Ok(Redirect::permanent(&canonical_url(&actor)).into_response());
    }
    let aliases = state.db.aliases(actor.id).await?;
    let country = match actor.country_id {
        Some(country) => state.db.actor_ref(country).await?,
        None => None,
    };
    let members = if actor.kind == crate::domain::ActorKind::Country {
        state.db.members_of_country(actor.id, viewer.is_editor()).await?
    } else {
        Vec::new()
    };
    let filter = TimelineFilter {
        actor: Some(actor.id),
        ..TimelineFilter::default()
    };
    let events = SubjectEvents::load(&state, filter, Some(actor.id)).await?;
    let share_description = match events.total {
        1 => format!("{}: 1 event on entente, with its sources", actor.kind.label()),
        n => format!(
            "{}: {n} events on entente, with their sources",
            actor.kind.label()
        ),
    };
    let counting = events.counting;
    let page = ActorPage {
        share_description,
        kind_label: actor.kind.label(),
        actor,
        aliases,
        country,
        members,
        events,
        editor: viewer.is_editor(),
    }
    .into_response();
    Ok(super::page_cache::not_stored_when(counting, page))
}

/// The actor with this id; for an actor merged into another, that other one (its
/// canonical address differs, so the caller redirects there).
async fn find(state: &AppState, id: &str) -> Result<Actor> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    if let Some(actor) = state.db.actor(id).await? {
        return Ok(actor);
    }
    match state.db.actor_redirect(id).await? {
        Some(new_id) => state.db.actor(new_id).await?.ok_or(Error::NotFound),
        None => Err(Error::NotFound),
    }
}

fn canonical_url(actor: &Actor) -> String {
    crate::paths::actor(actor.id, &actor.slug)
}

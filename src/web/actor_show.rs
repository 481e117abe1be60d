//! One actor: its names in every script, its country, and its events in order.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Redirect;

use super::AppState;
use super::extract::PathParams;
use super::timeline::{DEFAULT_PAGE_SIZE, View};
use super::view::{EntryView, actor_kind_label};
use crate::error::{Error, Result};
use crate::store::ActorRef;
use crate::store::actors::Actor;
use crate::store::events::Order;
use crate::store::listing::{Sort, TimelineFilter};

#[derive(Template, WebTemplate)]
#[template(path = "actor_show.html")]
pub struct ActorPage {
    actor: Actor,
    kind_label: &'static str,
    aliases: Vec<String>,
    country: Option<ActorRef>,
    members: Vec<ActorRef>,
    entries: Vec<EntryView>,
    /// Published events involving the actor.
    total: i64,
    /// The actor's events on the timeline, where they can be filtered further.
    timeline_url: String,
    /// The timeline's next page, when the actor has more events than this page shows.
    more_url: Option<String>,
    /// Heading level of entry titles (under the events heading).
    entry_level: u8,
}

/// `/actors/{id}` and outdated slugs lead to the canonical address.
pub async fn redirect_to_canonical(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<Redirect> {
    let actor = find(&state, &id).await?;
    Ok(Redirect::permanent(&canonical_url(&actor)))
}

pub async fn show(
    State(state): State<AppState>,
    PathParams((id, slug)): PathParams<(String, String)>,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let actor = find(&state, &id).await?;
    if actor.slug != slug {
        return Ok(Redirect::permanent(&canonical_url(&actor)).into_response());
    }
    let aliases = state.db.aliases(actor.id).await?;
    let country = match actor.country_id {
        Some(country) => state.db.actor_ref(country).await?,
        None => None,
    };
    let members = if actor.kind == "country" {
        state.db.members_of_country(actor.id).await?
    } else {
        Vec::new()
    };
    // The actor's events are the timeline filtered by the actor: the same query, the
    // same paging, continued on the timeline itself.
    let view = View {
        filter: TimelineFilter {
            actor: Some(actor.id),
            sort: Sort::Date(Order::Asc),
            ..TimelineFilter::default()
        },
        limit: DEFAULT_PAGE_SIZE,
        cursor: None,
    };
    let page = state.db.timeline_page(&view.filter, None, view.limit).await?;
    let total = state.db.timeline_count(&view.filter).await?;
    let ids: Vec<i64> = page.entries.iter().map(|e| e.id).collect();
    let mut roles = state.db.actor_roles(actor.id, &ids).await?;
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
    Ok(ActorPage {
        kind_label: actor_kind_label(&actor.kind),
        actor,
        aliases,
        country,
        members,
        entries,
        total,
        timeline_url: view.url(),
        more_url,
        entry_level: 3,
    }
    .into_response())
}

async fn find(state: &AppState, id: &str) -> Result<Actor> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    state.db.actor(id).await?.ok_or(Error::NotFound)
}

fn canonical_url(actor: &Actor) -> String {
    format!("/actors/{}/{}", actor.id, actor.slug)
}

//! The actors index: every country, person, organization and facility, by kind.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::AppState;
use super::session::Viewer;
use crate::domain::ActorKind;
use crate::error::Result;
use crate::store::actors::ActorListing;

/// Actors of one kind under one heading.
pub struct KindGroup {
    pub id: &'static str,
    pub label: &'static str,
    pub actors: Vec<ActorListing>,
}

#[derive(Template, WebTemplate)]
#[template(path = "actor_index.html")]
pub struct ActorIndexPage {
    groups: Vec<KindGroup>,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<ActorIndexPage> {
    let mut groups: Vec<KindGroup> = Vec::new();
    for actor in state.db.actor_index(viewer.is_editor()).await? {
        if groups.last().is_none_or(|g| g.id != kind_id(actor.kind)) {
            groups.push(KindGroup {
                id: kind_id(actor.kind),
                label: actor.kind.plural(),
                actors: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.actors.push(actor);
        }
    }
    Ok(ActorIndexPage { groups })
}

/// The heading's anchor: `#countries`, `#people`…
fn kind_id(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Country => "countries",
        ActorKind::Person => "people",
        ActorKind::Organization => "organizations",
        ActorKind::Facility => "facilities",
    }
}

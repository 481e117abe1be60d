//! An event's compact card at `/events/{id}/embed`, for an `<iframe>` on another site:
//! the title, the date at its precision, the type, the countries and how many sources
//! back it, with a link to the permalink. It is the one address other sites may frame.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::event_show::{find_visible, share_description};
use super::extract::PathParams;
use super::session::Viewer;
use super::view::human_date;
use crate::domain::ActorKind;
use crate::error::Result;
use crate::store::ActorRef;

#[derive(Template, WebTemplate)]
#[template(path = "event_embed.html")]
pub struct EmbedPage {
    title: String,
    date: String,
    type_label: &'static str,
    countries: Vec<ActorRef>,
    sources: usize,
    description: String,
    url: String,
}

/// The card, as readers see the event (a draft is not found, whoever asks).
pub async fn show(State(state): State<AppState>, PathParams(id): PathParams<String>) -> Result<Response> {
    let detail = find_visible(&state, &Viewer::default(), &id).await?;
    let page = EmbedPage {
        title: detail.event.title.clone(),
        date: human_date(&detail.event.date_edtf),
        type_label: detail.event.event_type.label(),
        countries: detail
            .participants
            .iter()
            .filter(|p| p.actor.kind == ActorKind::Country)
            .map(|p| p.actor.clone())
            .collect(),
        sources: detail.citations.len(),
        description: share_description(&detail),
        url: crate::paths::event(detail.event.id, &detail.event.slug),
    };
    let policy = HeaderValue::from_static(super::EMBED_CONTENT_SECURITY_POLICY);
    Ok(([(header::CONTENT_SECURITY_POLICY, policy)], page).into_response())
}

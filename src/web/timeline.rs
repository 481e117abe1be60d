//! The timeline, the home page: published events in date order, grouped by year and month.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;

use super::AppState;
use super::extract::QueryParams;
use super::view::{YearGroup, group_by_period};
use crate::error::{Error, Result};
use crate::store::events::Order;

/// Most events one timeline page lists.
pub const PAGE_LIMIT: i64 = 1000;

/// The timeline's query string. Unknown parameters are ignored so that links made by
/// later versions still open.
#[derive(Debug, Default, Deserialize)]
pub struct TimelineQuery {
    order: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "timeline.html")]
pub struct TimelinePage {
    years: Vec<YearGroup>,
    order: Order,
    flip_url: &'static str,
    shown: usize,
    total: i64,
    /// Heading level of entry titles (under year and month headings).
    entry_level: u8,
}

pub async fn show(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<TimelineQuery>,
) -> Result<TimelinePage> {
    let order = match query.order.as_deref() {
        None | Some("") | Some("desc") => Order::Desc,
        Some("asc") => Order::Asc,
        Some(other) => {
            return Err(Error::BadRequest(format!(
                "“{other}” is not a timeline order: use order=asc (oldest first) or order=desc (newest first)."
            )));
        }
    };
    let entries = state.db.timeline(order, PAGE_LIMIT).await?;
    let total = state.db.published_count().await?;
    let shown = entries.len();
    Ok(TimelinePage {
        years: group_by_period(entries),
        flip_url: match order {
            Order::Desc => "/?order=asc",
            Order::Asc => "/",
        },
        order,
        shown,
        total,
        entry_level: 4,
    })
}

//! Any timeline view as CSV (`/timeline.csv?…`, the timeline's own parameters): one row
//! per event, the whole view (not one page), in the view's order. The rows are written
//! page by page straight into the response, so a view of 100,000 events is never held
//! in memory.
//!
//! Columns: `id`, `url` (the permalink), `title`, `type`, `agreement_kind`, `date` (as
//! the editor wrote it, EDTF), `date_shown` (as pages show it), `earliest` and `latest`
//! (the days it can stand for), `precision`, `countries` and `actors` (names joined
//! with `; `), `sources` (how many).

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::AppState;
use super::session::Viewer;
use super::timeline::{CheckedView, check_view};
use super::timeline_view::DEFAULT_PAGE_SIZE;
use super::view::human_date;
use crate::dates::{EventDate, iso_day};
use crate::domain::filter::TimelineFilter;
use crate::error::{Error, Result};
use crate::store::Db;
use crate::store::events::TimelineEntry;

/// Events read and written per step.
const ROWS_PER_STEP: i64 = 500;

/// One row of the CSV.
#[derive(Serialize)]
struct Row<'a> {
    id: i64,
    url: String,
    title: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    agreement_kind: &'a str,
    date: &'a str,
    date_shown: String,
    earliest: String,
    latest: String,
    precision: &'a str,
    countries: String,
    actors: String,
    sources: i64,
}

impl<'a> Row<'a> {
    fn new(entry: &'a TimelineEntry, origin: &str) -> Row<'a> {
        let date = EventDate::parse(&entry.date_edtf).ok();
        let names = |actors: &[crate::store::ActorRef]| {
            actors
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        Row {
            id: entry.id,
            url: format!("{origin}{}", crate::paths::event(entry.id, &entry.slug)),
            title: &entry.title,
            event_type: entry.event_type.as_str(),
            agreement_kind: entry.agreement_kind.map_or("", |k| k.as_str()),
            date: &entry.date_edtf,
            date_shown: human_date(&entry.date_edtf),
            earliest: date.as_ref().map(|d| iso_day(d.earliest())).unwrap_or_default(),
            latest: date.as_ref().map(|d| iso_day(d.latest())).unwrap_or_default(),
            precision: &entry.date_precision,
            countries: names(&entry.countries),
            actors: names(&entry.actors),
            sources: entry.source_count,
        }
    }
}

/// `/timeline.csv?…`: the whole view as CSV, streamed.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let raw = raw.unwrap_or_default();
    let CheckedView {
        mut view,
        search_error,
        ..
    } = check_view(&state, &viewer, &raw, crate::paths::timeline_csv).await?;
    if let Some((_, message)) = search_error {
        return Err(Error::BadRequest(message));
    }
    // The whole view: a page's position and size do not apply.
    view.cursor = None;
    view.limit = DEFAULT_PAGE_SIZE;
    let canonical = view.canonical_query();
    if canonical != raw {
        return Ok(Redirect::permanent(&crate::paths::timeline_csv(&canonical)).into_response());
    }
    let origin = super::event_cite::origin(&state, &headers);
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(write_rows(state.db.clone(), view.filter, origin, sender));
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(receiver));
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"entente-timeline.csv\""),
        ),
    ];
    Ok((headers, body).into_response())
}

/// Writes the view's rows into the response, a step at a time, until the view ends or
/// the client goes away. A failure midway ends the body early (the client sees a cut
/// transfer, not a complete-looking file) and is logged.
async fn write_rows(
    db: Db,
    filter: TimelineFilter,
    origin: String,
    sender: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
) {
    let mut cursor = None;
    let mut first = true;
    loop {
        let step = match db.timeline_page(&filter, cursor.as_ref(), ROWS_PER_STEP).await {
            Ok(step) => step,
            Err(e) => {
                tracing::error!(error = %e, "a CSV export stopped");
                let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
                return;
            }
        };
        let mut writer = csv::WriterBuilder::new()
            .has_headers(first)
            .from_writer(Vec::with_capacity(64 * 1024));
        let written = step
            .entries
            .iter()
            .try_for_each(|entry| writer.serialize(Row::new(entry, &origin)));
        let bytes = written.map_err(std::io::Error::other).and_then(|()| {
            writer
                .into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()))
        });
        let failed = bytes.is_err();
        if sender.send(bytes).await.is_err() || failed {
            return;
        }
        first = false;
        match step.after {
            Some(after) => cursor = Some(after),
            None => return,
        }
    }
}

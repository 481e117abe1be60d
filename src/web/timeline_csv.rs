//! Any timeline view as CSV (`/timeline.csv?…`, the timeline's own parameters): one row
//! per event, the whole view (not one page), in the view's order. The rows are written
//! page by page straight into the response, so a view of 100,000 events is never held
//! in memory.
//!
//! Columns: `id`, `url` (the permalink), `title`, `type`, `agreement_kind`, `date` (as
//! the editor wrote it, EDTF), `date_shown` (as pages show it), `earliest` and `latest`
//! (the days it can stand for), `precision`, `countries` and `actors` (names joined
//! with `; `), `sources` (how many). A title or a name a spreadsheet would read as a
//! formula starts with `'`. The export is read a step at a time, not as one snapshot: an
//! event saved while it runs may show its new state, and a search export, ordered by
//! relevance, may shift if the collection changes meanwhile. At most two exports run at
//! once; a third is asked to try again (503).

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
use crate::store::listing::TimelinePage;

/// Events read and written per step.
const ROWS_PER_STEP: i64 = 500;

/// One row of the CSV.
#[derive(Serialize)]
struct Row<'a> {
    id: i64,
    url: String,
    title: std::borrow::Cow<'a, str>,
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
            title: spreadsheet_safe(&entry.title),
            event_type: entry.event_type.as_str(),
            agreement_kind: entry.agreement_kind.map_or("", |k| k.as_str()),
            date: &entry.date_edtf,
            date_shown: human_date(&entry.date_edtf),
            earliest: date.as_ref().map(|d| iso_day(d.earliest())).unwrap_or_default(),
            latest: date.as_ref().map(|d| iso_day(d.latest())).unwrap_or_default(),
            precision: &entry.date_precision,
            countries: spreadsheet_safe(&names(&entry.countries)).into_owned(),
            actors: spreadsheet_safe(&names(&entry.actors)).into_owned(),
            sources: entry.source_count,
        }
    }
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a carriage
/// return first) gets a leading `'`, so that opening the file runs nothing.
fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// How many exports may stream at once; more wait for none and get a 503.
const EXPORTS_AT_ONCE: usize = 2;

static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(EXPORTS_AT_ONCE);

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
    let Ok(permit) = EXPORTS.try_acquire() else {
        return Err(Error::Busy("other exports are running".to_owned()));
    };
    let origin = super::event_cite::origin(&state, &headers);
    // The first step is read before the response starts, so that a failure is an error
    // page, not an empty file.
    let first = state.db.timeline_page(&view.filter, None, ROWS_PER_STEP).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        write_rows(state.db.clone(), view.filter, origin, first, sender).await;
        drop(permit);
    });
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
    first_step: TimelinePage,
    sender: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
) {
    let mut next = Some(first_step);
    let mut first = true;
    while let Some(step) = next.take() {
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
        let Some(after) = step.after else {
            return;
        };
        match db.timeline_page(&filter, Some(&after), ROWS_PER_STEP).await {
            Ok(step) => next = Some(step),
            Err(e) => {
                tracing::error!(error = %e, "a CSV export stopped");
                let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_defused() {
        assert_eq!(
            spreadsheet_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(spreadsheet_safe("+7 drones"), "'+7 drones");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(
            spreadsheet_safe("Iran and Belarus sign an MOU"),
            "Iran and Belarus sign an MOU"
        );
    }
}

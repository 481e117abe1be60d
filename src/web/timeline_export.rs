//! Any timeline view as a file, with the timeline's own parameters: CSV
//! (`/timeline.csv?…`), JSON in the API's shape (`/timeline.json`), iCalendar
//! (`/timeline.ics`), Knight Lab's TimelineJS (`/timeline.timelinejs.json`) and an Atom
//! feed (`/timeline.atom`).
//!
//! The four files hold the whole view (not one page) in the view's order, written page
//! by page straight into the response, so a view of 100,000 events is never held in
//! memory (see [`super::streamed`]). They are read a step at a time, not as one
//! snapshot: an event saved while an export runs may show its new state, and a search
//! export, ordered by relevance, may shift if the collection changes meanwhile.
//!
//! The feed is for subscribing to a view: the 50 events of the view changed most
//! recently, whatever their own dates, each with its permalink as a stable id.
//!
//! CSV columns: `id`, `url` (the permalink), `title`, `type`, `agreement_kind`, `date`
//! (as the editor wrote it, EDTF), `date_shown` (as pages show it), `earliest` and
//! `latest` (the days it can stand for), `precision`, `countries` and `actors` (names
//! joined with `; `), `sources` (how many). A title or a name a spreadsheet would read
//! as a formula starts with `'`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use icalendar::{Component, EventLike};
use serde::Serialize;

use super::AppState;
use super::api::{EventSummary, Links};
use super::session::Viewer;
use super::timeline::{CheckedView, View, check_view, view_title};
use super::timeline_view::DEFAULT_PAGE_SIZE;
use super::view::human_date;
use crate::dates::{EventDate, iso_day};
use crate::domain::filter::{Sort, TimelineFilter};
use crate::error::{Error, Result};
use crate::store::Db;
use crate::store::events::TimelineEntry;
use crate::store::listing::TimelinePage;

/// Events read and written per step.
const ROWS_PER_STEP: i64 = 500;

/// Events a feed lists.
const FEED_ENTRIES: i64 = 50;

/// The streamed files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Calendar,
    TimelineJs,
}

impl Format {
    /// The ending of its address, after `/timeline.`.
    pub fn ending(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Calendar => "ics",
            Format::TimelineJs => "timelinejs.json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json | Format::TimelineJs => "application/json",
            Format::Calendar => "text/calendar; charset=utf-8",
        }
    }

    /// Files a person opens in another program are downloads; JSON is read in place
    /// (by a notebook, by TimelineJS on another site).
    fn disposition(self) -> Option<&'static str> {
        match self {
            Format::Csv => Some("attachment; filename=\"entente-timeline.csv\""),
            Format::Calendar => Some("attachment; filename=\"entente-timeline.ics\""),
            Format::Json | Format::TimelineJs => None,
        }
    }
}

/// The export links of a view (any page of it, any page size): each file of the whole
/// view, and its feed.
pub struct ExportLinks {
    pub csv: String,
    pub json: String,
    pub calendar: String,
    pub timelinejs: String,
    pub atom: String,
    pub api: String,
}

impl ExportLinks {
    pub fn new(view: &View) -> ExportLinks {
        let whole = whole_view(view).canonical_query();
        let feed = feed_view(view).canonical_query();
        let file = |format: Format| crate::paths::timeline_file(format.ending(), &whole);
        ExportLinks {
            csv: file(Format::Csv),
            json: file(Format::Json),
            calendar: file(Format::Calendar),
            timelinejs: file(Format::TimelineJs),
            atom: crate::paths::timeline_file("atom", &feed),
            api: crate::paths::api_events(&whole),
        }
    }
}

/// The whole view: a page's position and size do not apply.
fn whole_view(view: &View) -> View {
    View {
        cursor: None,
        limit: DEFAULT_PAGE_SIZE,
        filter: view.filter.clone(),
    }
}

/// A feed's view: the order does not apply either (a feed lists the latest changes).
fn feed_view(view: &View) -> View {
    let mut feed = whole_view(view);
    feed.filter.sort = if feed.filter.search.is_some() {
        Sort::Relevance
    } else {
        Sort::default()
    };
    feed
}

/// The CSV's columns: the fields of [`Row`], in order.
const CSV_COLUMNS: [&str; 13] = [
    "id",
    "url",
    "title",
    "type",
    "agreement_kind",
    "date",
    "date_shown",
    "earliest",
    "latest",
    "precision",
    "countries",
    "actors",
    "sources",
];

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
pub(super) fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether a date is open at one end (`2022-06/..`, `../2023-05`): its bounds then reach
/// the ends of the calendar, which no calendar or timeline should draw.
fn open_ended(date: &EventDate) -> bool {
    let edtf = date.edtf();
    edtf.starts_with("../") || edtf.ends_with("/..")
}

fn chrono_day(day: time::Date) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(day.year(), u32::from(u8::from(day.month())), u32::from(day.day()))
}

/// One VEVENT: an all-day entry over the days the date can stand for (one day, the day
/// it is filed under, for a date open at one end); the description says how precisely
/// the date is known.
fn calendar_event(entry: &TimelineEntry, date: &EventDate, links: &Links) -> icalendar::Event {
    let permalink = links.to(&crate::paths::event(entry.id, &entry.slug));
    let (first, last) = if open_ended(date) {
        (date.sort_day(), date.sort_day())
    } else {
        (date.earliest(), date.latest())
    };
    let mut description = format!("Date: {}", date.display());
    if open_ended(date) {
        description.push_str(&format!(
            " (an interval open at one end; this entry marks the day the timeline files it under, {})",
            iso_day(first)
        ));
    } else if first != last || date.is_approximate() || date.is_uncertain() {
        description.push_str(&format!(
            " (known to the {}{}; this entry spans {} to {})",
            date.precision().as_str(),
            if date.is_approximate() || date.is_uncertain() {
                ", approximate or uncertain"
            } else {
                ""
            },
            iso_day(first),
            iso_day(last),
        ));
    }
    let countries: Vec<&str> = entry.countries.iter().map(|c| c.name.as_str()).collect();
    if !countries.is_empty() {
        description.push_str(&format!("\nCountries: {}", countries.join(", ")));
    }
    description.push_str(&format!(
        "\nType: {}\nSources: {}\n{permalink}",
        entry.event_type.label(),
        entry.source_count
    ));
    let mut event = icalendar::Event::new();
    event
        .uid(&format!("event-{}@{}", entry.id, links.host()))
        .summary(&entry.title)
        .description(&description)
        .url(&permalink);
    if let (Some(first), Some(after_last)) = (chrono_day(first), last.next_day().and_then(chrono_day)) {
        event.starts(first).ends(after_last);
    }
    event.done()
}

/// A date as TimelineJS reads it: the parts known, and the text to show.
#[derive(Serialize)]
struct TimelineJsDate {
    year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_date: Option<String>,
}

impl TimelineJsDate {
    fn new(date: time::Date, precision: crate::dates::DatePrecision, display: Option<String>) -> Self {
        use crate::dates::DatePrecision;
        let (month, day) = match precision {
            DatePrecision::Year | DatePrecision::Season => (None, None),
            DatePrecision::Month => (Some(u8::from(date.month())), None),
            DatePrecision::Day => (Some(u8::from(date.month())), Some(date.day())),
        };
        TimelineJsDate {
            year: date.year(),
            month,
            day,
            display_date: display,
        }
    }
}

#[derive(Serialize)]
struct TimelineJsText {
    headline: String,
    text: String,
}

#[derive(Serialize)]
struct TimelineJsEvent {
    unique_id: String,
    start_date: TimelineJsDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<TimelineJsDate>,
    text: TimelineJsText,
    group: &'static str,
}

impl TimelineJsEvent {
    /// TimelineJS shows `headline` and `text` as HTML: every text from the collection
    /// is escaped.
    fn new(entry: &TimelineEntry, date: &EventDate, links: &Links) -> TimelineJsEvent {
        let permalink = links.to(&crate::paths::event(entry.id, &entry.slug));
        let precision = date.precision();
        let start = if open_ended(date) {
            date.sort_day()
        } else {
            date.earliest()
        };
        let end = (!open_ended(date) && date.is_interval())
            .then(|| TimelineJsDate::new(date.latest(), precision, None));
        let countries: Vec<&str> = entry.countries.iter().map(|c| c.name.as_str()).collect();
        let sources = match entry.source_count {
            1 => "1 source".to_owned(),
            n => format!("{n} sources"),
        };
        TimelineJsEvent {
            unique_id: format!("event-{}", entry.id),
            start_date: TimelineJsDate::new(start, precision, Some(date.display())),
            end_date: end,
            text: TimelineJsText {
                headline: format!("<a href=\"{}\">{}</a>", escape(&permalink), escape(&entry.title)),
                text: format!(
                    "<p>{}{}. {}. <a href=\"{}\">Sources and passages on entente</a></p>",
                    escape(entry.event_type.label()),
                    if countries.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", escape(&countries.join(", ")))
                    },
                    sources,
                    escape(&permalink)
                ),
            },
            group: entry.event_type.label(),
        }
    }
}

/// Writes one format, a step of events at a time.
struct Writer {
    format: Format,
    links: Links,
    title: String,
    html_url: String,
    /// Whether nothing has been written yet.
    first: bool,
}

impl Writer {
    /// What comes before the first event.
    fn head(&self) -> Vec<u8> {
        match self.format {
            Format::Csv => Vec::new(),
            Format::Json => format!(
                "{{\"title\":{},\"html_url\":{},\"events\":[",
                json_string(&self.title),
                json_string(&self.html_url)
            )
            .into_bytes(),
            Format::TimelineJs => format!(
                "{{\"title\":{{\"text\":{{\"headline\":{},\"text\":{}}}}},\"events\":[",
                json_string(&escape(&self.title)),
                json_string(&format!(
                    "<p>From <a href=\"{}\">entente</a>: every event with its sources.</p>",
                    escape(&self.html_url)
                ))
            )
            .into_bytes(),
            Format::Calendar => self.calendar_frame().0.into_bytes(),
        }
    }

    /// What comes after the last event.
    fn tail(&self) -> Vec<u8> {
        match self.format {
            Format::Csv => Vec::new(),
            Format::Json | Format::TimelineJs => b"]}".to_vec(),
            Format::Calendar => self.calendar_frame().1.into_bytes(),
        }
    }

    /// The calendar's own lines, as the crate writes them, split where events go.
    fn calendar_frame(&self) -> (String, String) {
        let calendar = icalendar::Calendar::new()
            .name(&self.title)
            .description(&format!("From entente: {}", self.html_url))
            .done()
            .to_string();
        match calendar.find("END:VCALENDAR") {
            Some(end) => (calendar[..end].to_owned(), calendar[end..].to_owned()),
            None => (calendar, String::new()),
        }
    }

    /// One step of events.
    fn step(&mut self, entries: &[TimelineEntry]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(64 * 1024);
        match self.format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().has_headers(self.first).from_writer(out);
                // The header comes with the first row; a view without events still has it.
                if self.first && entries.is_empty() {
                    writer.write_record(CSV_COLUMNS)?;
                }
                for entry in entries {
                    writer.serialize(Row::new(entry, &self.links.origin))?;
                }
                out = writer
                    .into_inner()
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
            }
            Format::Json | Format::TimelineJs | Format::Calendar => {
                for entry in entries {
                    let date = EventDate::parse(&entry.date_edtf).map_err(std::io::Error::other)?;
                    match self.format {
                        Format::Json => {
                            self.separate(&mut out);
                            let summary =
                                EventSummary::new(entry, &self.links).map_err(std::io::Error::other)?;
                            serde_json::to_writer(&mut out, &summary)?;
                        }
                        Format::TimelineJs => {
                            self.separate(&mut out);
                            serde_json::to_writer(
                                &mut out,
                                &TimelineJsEvent::new(entry, &date, &self.links),
                            )?;
                        }
                        _ => out.extend(calendar_event(entry, &date, &self.links).to_string().into_bytes()),
                    }
                }
            }
        }
        self.first = false;
        Ok(out)
    }

    /// A comma between JSON array items.
    fn separate(&mut self, out: &mut Vec<u8>) {
        if !self.first {
            out.push(b',');
        }
        self.first = false;
    }
}

/// Text for HTML, escaped as templates escape it.
fn escape(text: &str) -> String {
    use askama::filters::Escaper;
    let mut escaped = String::with_capacity(text.len());
    // Writing into a String cannot fail.
    let _ = askama::filters::Html.write_escaped_str(&mut escaped, text);
    escaped
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// `/timeline.csv?…`
pub async fn csv(
    state: State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    raw: RawQuery,
) -> Result<Response> {
    download(state, viewer, headers, raw, Format::Csv).await
}

/// `/timeline.json?…`
pub async fn json(
    state: State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    raw: RawQuery,
) -> Result<Response> {
    download(state, viewer, headers, raw, Format::Json).await
}

/// `/timeline.ics?…`
pub async fn calendar(
    state: State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    raw: RawQuery,
) -> Result<Response> {
    download(state, viewer, headers, raw, Format::Calendar).await
}

/// `/timeline.timelinejs.json?…`
pub async fn timelinejs(
    state: State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    raw: RawQuery,
) -> Result<Response> {
    download(state, viewer, headers, raw, Format::TimelineJs).await
}

/// A view read from the query and checked like the timeline's; a search that cannot be
/// understood is a 400 here (there is no form to explain it beside).
async fn checked_view(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
    address: fn(&str) -> String,
) -> Result<CheckedView> {
    let checked = check_view(state, viewer, raw, address).await?;
    if let Some((_, message)) = &checked.search_error {
        return Err(Error::parameter("q", message.clone()));
    }
    Ok(checked)
}

/// The whole view in `format`, streamed.
async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    format: Format,
) -> Result<Response> {
    let raw = raw.unwrap_or_default();
    let address = match format {
        Format::Csv => |q: &str| crate::paths::timeline_file("csv", q),
        Format::Json => |q: &str| crate::paths::timeline_file("json", q),
        Format::Calendar => |q: &str| crate::paths::timeline_file("ics", q),
        Format::TimelineJs => |q: &str| crate::paths::timeline_file("timelinejs.json", q),
    };
    let checked = checked_view(&state, &viewer, &raw, address).await?;
    let view = whole_view(&checked.view);
    let canonical = view.canonical_query();
    if canonical != raw {
        return Ok(Redirect::permanent(&address(&canonical)).into_response());
    }
    let permit = super::streamed::permit()?;
    let links = Links::new(&state, &headers);
    let writer = Writer {
        format,
        title: view_title(&checked),
        html_url: links.to(&view.url()),
        links,
        first: true,
    };
    // The first step is read before the response starts, so that a failure is an error
    // page, not an empty file.
    let first = state.db.timeline_page(&view.filter, None, ROWS_PER_STEP).await?;
    let body = super::streamed::stream(
        permit,
        ViewFile {
            db: state.db.clone(),
            filter: view.filter,
            writer,
            step: Step::Head(first),
        },
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Some(disposition) = format.disposition() {
        headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(disposition));
    }
    // Public data: notebooks and other sites' pages (TimelineJS) may read it.
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    Ok(response)
}

/// Where a file of a view stands.
enum Step {
    /// Nothing written yet; the first page is read.
    Head(TimelinePage),
    /// A page to write.
    Page(TimelinePage),
    /// The next page starts after this cursor.
    After(crate::domain::filter::Cursor),
    Tail,
    Done,
}

/// The whole view in one format, a page of events at a time.
struct ViewFile {
    db: Db,
    filter: TimelineFilter,
    writer: Writer,
    step: Step,
}

impl super::streamed::Producer for ViewFile {
    async fn next(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        match std::mem::replace(&mut self.step, Step::Done) {
            Step::Head(first) => {
                self.step = Step::Page(first);
                Ok(Some(self.writer.head()))
            }
            Step::Page(page) => {
                let bytes = self.writer.step(&page.entries)?;
                self.step = page.after.map_or(Step::Tail, Step::After);
                Ok(Some(bytes))
            }
            Step::After(after) => {
                let page = self
                    .db
                    .timeline_page(&self.filter, Some(&after), ROWS_PER_STEP)
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                let bytes = self.writer.step(&page.entries)?;
                self.step = page.after.map_or(Step::Tail, Step::After);
                Ok(Some(bytes))
            }
            Step::Tail => Ok(Some(self.writer.tail())),
            Step::Done => Ok(None),
        }
    }
}

/// `/timeline.atom?…`: a feed of the view, its latest changes first.
pub async fn atom(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let raw = raw.unwrap_or_default();
    let address = |q: &str| crate::paths::timeline_file("atom", q);
    let checked = checked_view(&state, &viewer, &raw, address).await?;
    let view = feed_view(&checked.view);
    let canonical = view.canonical_query();
    if canonical != raw {
        return Ok(Redirect::permanent(&address(&canonical)).into_response());
    }
    let links = Links::new(&state, &headers);
    let changed = state.db.recently_changed(&view.filter, FEED_ENTRIES).await?;
    let time = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|e| Error::Internal(format!("stored time {text}: {e}")))
    };
    let link = |href: String, rel: &str, mime: &str| Link {
        href,
        rel: rel.to_owned(),
        mime_type: Some(mime.to_owned()),
        ..Link::default()
    };
    let mut entries = Vec::with_capacity(changed.len());
    for item in &changed {
        let entry = &item.entry;
        let mut atom = Entry::default();
        atom.set_id(links.to(&crate::paths::event_short(entry.id)));
        atom.set_title(Text::plain(entry.title.clone()));
        atom.set_updated(time(&item.updated_at)?);
        atom.set_published(Some(time(&item.created_at)?));
        atom.set_links(vec![link(
            links.to(&crate::paths::event(entry.id, &entry.slug)),
            "alternate",
            "text/html",
        )]);
        let countries: Vec<&str> = entry.countries.iter().map(|c| c.name.as_str()).collect();
        let sources = match entry.source_count {
            1 => "1 source".to_owned(),
            n => format!("{n} sources"),
        };
        atom.set_summary(Some(Text::plain(format!(
            "{} · {}{} · {sources}",
            human_date(&entry.date_edtf),
            entry.event_type.label(),
            if countries.is_empty() {
                String::new()
            } else {
                format!(" · {}", countries.join(", "))
            },
        ))));
        atom.set_content(Some(Content {
            value: Some(crate::markdown::to_safe_html(&item.summary)),
            content_type: Some("html".to_owned()),
            ..Content::default()
        }));
        entries.push(atom);
    }
    let mut feed = Feed::default();
    feed.set_title(Text::plain(format!("entente: {}", view_title(&checked))));
    feed.set_id(links.to(&view.url()));
    let updated = match changed.first() {
        Some(latest) => time(&latest.updated_at)?,
        None => chrono::Utc::now().fixed_offset(),
    };
    feed.set_updated(updated);
    feed.set_authors(vec![Person {
        name: "entente".to_owned(),
        uri: Some(links.to(crate::paths::home())),
        ..Person::default()
    }]);
    feed.set_links(vec![
        link(links.to(&address(&canonical)), "self", "application/atom+xml"),
        link(links.to(&view.url()), "alternate", "text/html"),
    ]);
    feed.set_entries(entries);
    let headers = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    )];
    Ok((headers, feed.to_string()).into_response())
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

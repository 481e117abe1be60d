//! What happened to a record, and to the site: the revisions of one event, actor or
//! source, any two of them compared field by field, an earlier version brought back (as
//! a new revision), and the latest changes across the site.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use tower_sessions::Session;

use super::AppState;
use super::event_edit::load;
use super::extract::{Form, PathParams, QueryParams};
use super::session::{self, CSRF_FIELD, Editor};
use super::view::{agreement_kind_label, event_type_label, human_date, relation_label};
use crate::error::{Error, Result};
use crate::store::editing::{Revision, Saved};

/// The kinds of record that keep a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Event,
    Actor,
    Source,
}

impl Record {
    fn entity(self) -> &'static str {
        match self {
            Record::Event => "event",
            Record::Actor => "actor",
            Record::Source => "source",
        }
    }

    /// Where the record's history pages live: `/events/12`, `/actors/3`, `/sources/5`.
    fn base(self, id: i64) -> String {
        format!("/{}s/{id}", self.entity())
    }

    /// The record's name, page and version now.
    async fn head(self, state: &AppState, id: i64) -> Result<(String, String, i64)> {
        match self {
            Record::Event => {
                let detail = load(state, id).await?;
                let url = format!("/events/{}/{}", id, detail.event.slug);
                Ok((detail.event.title, url, detail.event.version))
            }
            Record::Actor => {
                let actor = state.db.actor(id).await?.ok_or(Error::NotFound)?;
                let version = state.db.actor_version(id).await?.ok_or(Error::NotFound)?;
                Ok((actor.name, format!("/actors/{id}/{}", actor.slug), version))
            }
            Record::Source => {
                let source = state.db.source(id).await?.ok_or(Error::NotFound)?;
                let url = super::view::outlet_url(&source.outlet);
                Ok((
                    format!("{}: {}", source.outlet, source.title),
                    url,
                    source.version,
                ))
            }
        }
    }

    /// A snapshot as labelled fields, each a list of lines a person reads.
    fn fields(self, snapshot: &Value) -> Vec<(&'static str, Vec<String>)> {
        match self {
            Record::Event => rendered(snapshot),
            Record::Actor => rendered_actor(snapshot),
            Record::Source => rendered_source(snapshot),
        }
    }
}

/// How a revision's action reads.
fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "Created",
        "edit" => "Edited",
        "publish" => "Published",
        "unpublish" => "Back to draft",
        "retract" => "Retracted",
        "restore" => "Restored as draft",
        "revert" => "Earlier version brought back",
        "import" => "As loaded from the dataset",
        "merge" => "Merged",
        "delete" => "Deleted",
        _ => "Changed",
    }
}

/// A timestamp as pages show it.
fn when(at: &str) -> String {
    at.replace('T', " ").replace('Z', " UTC")
}

/// One revision as the history page shows it.
pub struct RevisionView {
    pub version: i64,
    pub action: &'static str,
    pub editor: String,
    pub at: String,
    pub summary: String,
    pub title: String,
    pub date: String,
    pub status: String,
    /// The link comparing this revision with the one before.
    pub compare_url: Option<String>,
    /// Whether this is the event as it stands now.
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_history.html")]
pub struct HistoryPage {
    /// `/events/12`: the compare and revert addresses start with it.
    base: String,
    title: String,
    /// The record's own page.
    record_url: String,
    /// "event", "actor" or "source".
    noun: &'static str,
    revisions: Vec<RevisionView>,
    /// The event's version now, for the restore forms.
    version: i64,
    csrf: String,
    csrf_field: &'static str,
}

pub async fn history(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    history_of(&state, viewer, Record::Event, id).await
}

pub async fn actor_history(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    history_of(&state, viewer, Record::Actor, id).await
}

pub async fn source_history(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    history_of(&state, viewer, Record::Source, id).await
}

async fn history_of(
    state: &AppState,
    viewer: super::session::Viewer,
    record: Record,
    id: i64,
) -> Result<Response> {
    let (title, record_url, current) = record.head(state, id).await?;
    let base = record.base(id);
    let revisions = state.db.revisions_of(record.entity(), id).await?;
    let oldest = revisions.last().map_or(0, |r| r.version);
    let revisions = revisions
        .into_iter()
        .map(|r| {
            let snapshot = parse(&r);
            let text = |key: &str| snapshot[key].as_str().unwrap_or_default().to_owned();
            RevisionView {
                version: r.version,
                action: action_label(&r.action),
                editor: r.editor.unwrap_or_else(|| "(removed account)".to_owned()),
                at: when(&r.created_at),
                summary: r.summary,
                // What identified the record then: an event's title and date, an
                // actor's name, a source's title.
                title: match record {
                    Record::Actor => text("name"),
                    _ => text("title"),
                },
                date: match record {
                    Record::Event => human_date(&text("date")),
                    _ => String::new(),
                },
                status: match record {
                    Record::Event => text("status"),
                    _ => "published".to_owned(),
                },
                compare_url: (r.version > oldest)
                    .then(|| format!("{base}/compare?from={}&to={}", r.version - 1, r.version)),
                current: r.version == current,
            }
        })
        .collect();
    Ok(HistoryPage {
        base,
        title,
        record_url,
        noun: record.entity(),
        revisions,
        version: current,
        csrf: viewer.csrf,
        csrf_field: CSRF_FIELD,
    }
    .into_response())
}

fn parse(revision: &Revision) -> Value {
    serde_json::from_str(&revision.snapshot).unwrap_or_default()
}

/// One line of a field in a comparison, marked when the other side lacks it.
pub struct Line {
    pub text: String,
    pub changed: bool,
}

/// One field of two revisions side by side.
pub struct FieldDiff {
    pub label: &'static str,
    pub before: Vec<Line>,
    pub after: Vec<Line>,
    pub changed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_compare.html")]
pub struct ComparePage {
    base: String,
    title: String,
    record_url: String,
    from: RevisionHead,
    to: RevisionHead,
    fields: Vec<FieldDiff>,
    unchanged: usize,
    /// Every version, for choosing another pair.
    versions: Vec<i64>,
}

/// Who made a revision, and when.
pub struct RevisionHead {
    pub version: i64,
    pub action: &'static str,
    pub editor: String,
    pub at: String,
    pub summary: String,
}

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

/// Any two revisions of an event, field by field; changed fields first.
pub async fn compare(
    State(state): State<AppState>,
    _: Editor,
    PathParams(id): PathParams<i64>,
    QueryParams(query): QueryParams<CompareQuery>,
) -> Result<Response> {
    compare_of(&state, Record::Event, id, query).await
}

pub async fn actor_compare(
    State(state): State<AppState>,
    _: Editor,
    PathParams(id): PathParams<i64>,
    QueryParams(query): QueryParams<CompareQuery>,
) -> Result<Response> {
    compare_of(&state, Record::Actor, id, query).await
}

pub async fn source_compare(
    State(state): State<AppState>,
    _: Editor,
    PathParams(id): PathParams<i64>,
    QueryParams(query): QueryParams<CompareQuery>,
) -> Result<Response> {
    compare_of(&state, Record::Source, id, query).await
}

async fn compare_of(state: &AppState, record: Record, id: i64, query: CompareQuery) -> Result<Response> {
    let (title, record_url, _) = record.head(state, id).await?;
    let revisions = state.db.revisions_of(record.entity(), id).await?;
    let pick = |param: &Option<String>, name: &str| -> Result<&Revision> {
        let version: i64 = param
            .as_deref()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| Error::BadRequest(format!("Say which version to compare: {name}=NUMBER.")))?;
        revisions
            .iter()
            .find(|r| r.version == version)
            .ok_or_else(|| Error::BadRequest(format!("This {} has no version {version}.", record.entity())))
    };
    let (from, to) = (pick(&query.from, "from")?, pick(&query.to, "to")?);
    let (before, after) = (record.fields(&parse(from)), record.fields(&parse(to)));
    let mut fields: Vec<FieldDiff> = before
        .into_iter()
        .zip(after)
        .map(|((label, before), (_, after))| {
            let mark = |lines: &[String], other: &[String]| {
                lines
                    .iter()
                    .map(|text| Line {
                        text: text.clone(),
                        changed: !other.contains(text),
                    })
                    .collect::<Vec<_>>()
            };
            FieldDiff {
                label,
                changed: before != after,
                before: mark(&before, &after),
                after: mark(&after, &before),
            }
        })
        .collect();
    let unchanged = fields.iter().filter(|f| !f.changed).count();
    fields.sort_by_key(|f| !f.changed);
    let head = |r: &Revision| RevisionHead {
        version: r.version,
        action: action_label(&r.action),
        editor: r.editor.clone().unwrap_or_else(|| "(removed account)".to_owned()),
        at: when(&r.created_at),
        summary: r.summary.clone(),
    };
    let mut versions: Vec<i64> = revisions.iter().map(|r| r.version).collect();
    versions.sort_unstable();
    Ok(ComparePage {
        base: record.base(id),
        title,
        record_url,
        from: head(from),
        to: head(to),
        fields,
        unchanged,
        versions,
    }
    .into_response())
}

/// A snapshot as labelled fields, each a list of lines a person reads.
fn rendered(snapshot: &Value) -> Vec<(&'static str, Vec<String>)> {
    let text = |key: &str| snapshot[key].as_str().unwrap_or_default().to_owned();
    let one = |value: String| if value.is_empty() { Vec::new() } else { vec![value] };
    let list = |key: &str| snapshot[key].as_array().cloned().unwrap_or_default();
    let status = match (text("status").as_str(), text("status_reason")) {
        ("retracted", reason) if !reason.is_empty() => format!("retracted: {reason}"),
        (status, _) => status.to_owned(),
    };
    vec![
        ("Title", one(text("title"))),
        ("Type", one(event_type_label(&text("type")).to_owned())),
        (
            "Kind of agreement",
            one(snapshot["agreement_kind"]
                .as_str()
                .map(|k| agreement_kind_label(k).to_owned())
                .unwrap_or_default()),
        ),
        (
            "Date",
            one(format!("{} ({})", human_date(&text("date")), text("date"))),
        ),
        ("How the date was established", one(text("date_note"))),
        ("Place", one(text("place"))),
        ("Country of the place", one(text("location_country"))),
        (
            "Summary",
            text("summary")
                .lines()
                .map(str::to_owned)
                .filter(|l| !l.trim().is_empty())
                .collect(),
        ),
        ("Status", one(status)),
        (
            "Tags",
            list("tags")
                .iter()
                .filter_map(|t| t.as_str())
                .map(str::to_owned)
                .collect(),
        ),
        (
            "Participants",
            list("actors")
                .iter()
                .map(|a| {
                    let name = a["name"].as_str().unwrap_or("?");
                    let role = a["role"].as_str().unwrap_or("");
                    match a["title"].as_str() {
                        Some(title) => format!("{name}: {role}, {title}"),
                        None => format!("{name}: {role}"),
                    }
                })
                .collect(),
        ),
        (
            "Sources",
            list("citations")
                .iter()
                .flat_map(|c| {
                    let outlet = c["outlet"].as_str().unwrap_or("?");
                    let mut lines = vec![format!(
                        "{outlet}, “{}”: “{}”{}",
                        c["source"].as_str().unwrap_or(""),
                        c["passage"].as_str().unwrap_or(""),
                        c["claimed_date"]
                            .as_str()
                            .map(|d| format!(" (dates it {})", human_date(d)))
                            .unwrap_or_default()
                    )];
                    lines.extend(c["claims"].as_array().into_iter().flatten().map(|claim| {
                        format!(
                            "{outlet} says {}: {}",
                            claim["topic"].as_str().unwrap_or(""),
                            claim["value"].as_str().unwrap_or("")
                        )
                    }));
                    lines
                })
                .collect(),
        ),
        (
            "Related events",
            list("relations")
                .iter()
                .map(|r| {
                    format!(
                        "{} #{} {}{}",
                        relation_label(r["relation"].as_str().unwrap_or(""), false),
                        r["to_event_id"].as_i64().unwrap_or_default(),
                        r["title"].as_str().unwrap_or(""),
                        r["note"]
                            .as_str()
                            .filter(|n| !n.is_empty())
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    )
                })
                .collect(),
        ),
    ]
}

/// An actor's snapshot as labelled fields.
fn rendered_actor(snapshot: &Value) -> Vec<(&'static str, Vec<String>)> {
    let text = |key: &str| snapshot[key].as_str().unwrap_or_default().to_owned();
    let one = |value: String| if value.is_empty() { Vec::new() } else { vec![value] };
    vec![
        ("Name", one(text("name"))),
        (
            "Kind",
            one(super::view::actor_kind_label(&text("kind")).to_owned()),
        ),
        ("ISO code", one(text("iso_code"))),
        ("Country", one(text("country"))),
        ("Description", one(text("description"))),
        (
            "Other names",
            snapshot["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str())
                .map(str::to_owned)
                .collect(),
        ),
    ]
}

/// A source's snapshot as labelled fields.
fn rendered_source(snapshot: &Value) -> Vec<(&'static str, Vec<String>)> {
    let text = |key: &str| snapshot[key].as_str().unwrap_or_default().to_owned();
    let one = |value: String| if value.is_empty() { Vec::new() } else { vec![value] };
    vec![
        ("Outlet", one(text("outlet"))),
        ("Title", one(text("title"))),
        ("Address", one(text("url"))),
        ("Published", one(text("published"))),
        ("Author", one(text("author"))),
        ("About this source", one(text("notes"))),
    ]
}

#[derive(Debug, Deserialize)]
pub struct RevertForm {
    #[serde(default)]
    from_version: String,
    #[serde(default)]
    version: String,
}

pub async fn actor_revert(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<RevertForm>,
) -> Result<Response> {
    revert_record(&state, user, &session, Record::Actor, id, form).await
}

pub async fn source_revert(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<RevertForm>,
) -> Result<Response> {
    revert_record(&state, user, &session, Record::Source, id, form).await
}

/// Brings back an actor's or a source's earlier version, as a new revision.
async fn revert_record(
    state: &AppState,
    user: crate::store::users::User,
    session: &Session,
    record: Record,
    id: i64,
    form: RevertForm,
) -> Result<Response> {
    let number = |text: &str| {
        text.trim()
            .parse::<i64>()
            .map_err(|_| Error::BadRequest("The form does not say which versions it means.".to_owned()))
    };
    let (from_version, version) = (number(&form.from_version)?, number(&form.version)?);
    let saved = match record {
        Record::Actor => state.db.revert_actor(id, version, from_version, user.id).await?,
        _ => state.db.revert_source(id, version, from_version, user.id).await?,
    };
    match saved {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, entity = record.entity(), id, from_version, "earlier version brought back");
            session::set_notice(
                session,
                &format!("Version {from_version} is back, as a new version."),
            )
            .await?;
            Ok(Redirect::to(&format!("{}/history", record.base(id))).into_response())
        }
        Saved::Conflict { .. } => Err(Error::Conflict(format!(
            "Someone changed this {} after you loaded its history. Reload the history and try again.",
            record.entity()
        ))),
    }
}

/// Brings back an earlier version's content, as a new revision.
pub async fn revert(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<RevertForm>,
) -> Result<Response> {
    let number = |text: &str| {
        text.trim()
            .parse::<i64>()
            .map_err(|_| Error::BadRequest("The form does not say which versions it means.".to_owned()))
    };
    let (from_version, version) = (number(&form.from_version)?, number(&form.version)?);
    match state.db.revert_event(id, version, from_version, user.id).await? {
        (Saved::Saved { .. }, left_out) => {
            tracing::info!(editor = %user.name, event = id, from_version, "earlier version brought back");
            let mut notice = format!("The content of version {from_version} is back, as a new version.");
            if left_out > 0 {
                notice.push_str(&format!(
                    " {left_out} participant(s) or source(s) of that version no longer exist and were left out."
                ));
            }
            session::set_notice(&session, &notice).await?;
            Ok(Redirect::to(&format!("/events/{id}")).into_response())
        }
        (Saved::Conflict { .. }, _) => Err(Error::Conflict(
            "Someone changed this event after you loaded its history. Reload the history, \
             check the change, and try again."
                .to_owned(),
        )),
    }
}

/// One line of the recent changes.
pub struct ChangeView {
    /// "Event", "Actor" or "Source".
    pub kind: &'static str,
    pub at: String,
    pub editor: String,
    pub action: &'static str,
    pub title: String,
    pub url: Option<String>,
    pub compare_url: Option<String>,
    pub summary: String,
    pub version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "changes.html")]
pub struct ChangesPage {
    changes: Vec<ChangeView>,
}

/// How many changes the recent changes page lists.
const RECENT_CHANGES: i64 = 100;

/// The latest revisions across the site.
pub async fn recent(State(state): State<AppState>, _: Editor) -> Result<Response> {
    let changes = state
        .db
        .recent_revisions(RECENT_CHANGES)
        .await?
        .into_iter()
        .map(|r| ChangeView {
            at: when(&r.created_at),
            editor: r.editor.unwrap_or_else(|| "(removed account)".to_owned()),
            action: action_label(&r.action),
            kind: match r.entity.as_str() {
                "event" => "Event",
                "actor" => "Actor",
                _ => "Source",
            },
            title: r.title.unwrap_or_default(),
            url: r.still_exists.then(|| match r.entity.as_str() {
                "source" => format!("/sources/{}/history", r.entity_id),
                entity => format!("/{entity}s/{}", r.entity_id),
            }),
            compare_url: (r.still_exists && r.has_previous).then(|| {
                format!(
                    "/{}s/{}/compare?from={}&to={}",
                    r.entity,
                    r.entity_id,
                    r.version - 1,
                    r.version
                )
            }),
            summary: r.summary,
            version: r.version,
        })
        .collect();
    Ok(ChangesPage { changes }.into_response())
}

//! What happened to a record, and to the site: the revisions of one event, actor or
//! source, any two of them compared field by field, an earlier version brought back (as
//! a new revision), and the latest changes across the site.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::event_edit::load;
use super::extract::{Form, PathParams, QueryParams};
use super::session::{self, CSRF_FIELD, Editor, Viewer};
use super::view::human_date;
use crate::domain::snapshot::Snapshot;
use crate::domain::{Actor, Entity, Event, EventStatus, Outlet, Source};
use crate::error::{Error, Result};
use crate::paths;
use crate::store::editing::Saved;
use crate::store::revisions::Revision;

/// A record's name, page and version now.
async fn head(state: &AppState, entity: Entity, id: i64) -> Result<(String, String, i64)> {
    match entity {
        Entity::Event => {
            let detail = load(state, id).await?;
            let url = paths::event(id, &detail.event.slug);
            Ok((detail.event.title, url, detail.event.version))
        }
        Entity::Actor => {
            let actor = state.db.actor(id).await?.ok_or(Error::NotFound)?;
            let version = state.db.actor_version(id).await?.ok_or(Error::NotFound)?;
            Ok((actor.name, paths::actor(id, &actor.slug), version))
        }
        Entity::Source => {
            let (source, version) = state.db.source_record(id).await?.ok_or(Error::NotFound)?;
            let url = paths::outlet(&source.outlet);
            Ok((format!("{}: {}", source.outlet, source.title), url, version))
        }
        Entity::Outlet => {
            let record = state.db.outlet_record(id).await?.ok_or(Error::NotFound)?;
            let url = paths::outlet(&record.outlet.name);
            Ok((record.outlet.name, url, record.version))
        }
    }
}

/// A revision's record, whatever its kind.
enum Recorded {
    Event(Box<Event>),
    Actor(Actor),
    Source(Source),
    Outlet(Outlet),
}

impl Recorded {
    /// The record a revision keeps; `None` (logged) when it cannot be read, so that one
    /// damaged revision does not hide a whole history.
    fn of(entity: Entity, revision: &Revision) -> Option<Recorded> {
        let record = match entity {
            Entity::Event => revision.record().map(|e| Recorded::Event(Box::new(e))),
            Entity::Actor => revision.record().map(Recorded::Actor),
            Entity::Source => revision.record().map(Recorded::Source),
            Entity::Outlet => revision.record().map(Recorded::Outlet),
        };
        record.map_err(|e| tracing::error!("{e}")).ok()
    }

    /// What identified the record then: an event's title, an actor's name, a source's
    /// title.
    fn title(&self) -> &str {
        match self {
            Recorded::Event(event) => &event.title,
            Recorded::Actor(actor) => &actor.name,
            Recorded::Source(source) => &source.title,
            Recorded::Outlet(outlet) => &outlet.name,
        }
    }

    /// The record as labelled fields, each a list of lines a person reads.
    fn fields(&self) -> Vec<(&'static str, Vec<String>)> {
        match self {
            Recorded::Event(event) => event_fields(event),
            Recorded::Actor(actor) => actor_fields(actor),
            Recorded::Source(source) => source_fields(source),
            Recorded::Outlet(outlet) => outlet_fields(outlet),
        }
    }
}

/// The fields of a revision that cannot be read, under the labels of the other side
/// (`like`), so that a comparison still lines up.
fn unreadable(like: Option<&[(&'static str, Vec<String>)]>) -> Vec<(&'static str, Vec<String>)> {
    let line = || vec!["This version could not be read.".to_owned()];
    match like {
        Some(fields) => fields.iter().map(|(label, _)| (*label, line())).collect(),
        None => vec![("Record", line())],
    }
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
    /// An event's status then, when it was not published.
    pub status: Option<&'static str>,
    /// The link comparing this revision with the one before.
    pub compare_url: Option<String>,
    /// Whether this is the event as it stands now.
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_history.html")]
pub struct HistoryPage {
    /// Where the form comparing two versions goes.
    compare_action: String,
    /// Where bringing back a version posts.
    revert_action: String,
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

/// Every revision of an event, an actor or a source (`T`), newest first.
pub async fn history<T: Snapshot>(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    history_of(&state, viewer, T::ENTITY, id).await
}

async fn history_of(state: &AppState, viewer: Viewer, entity: Entity, id: i64) -> Result<Response> {
    let (title, record_url, current) = head(state, entity, id).await?;
    let revisions = state.db.revisions_of(entity, id).await?;
    let oldest = revisions.last().map_or(0, |r| r.version);
    let revisions = revisions
        .into_iter()
        .map(|r| {
            let record = Recorded::of(entity, &r);
            let (date, status) = match &record {
                Some(Recorded::Event(event)) => (
                    human_date(&event.date.edtf()),
                    (event.status != EventStatus::Published).then(|| event.status.as_str()),
                ),
                _ => (String::new(), None),
            };
            RevisionView {
                version: r.version,
                action: r.action.label(),
                editor: r.editor.unwrap_or_else(|| "(removed account)".to_owned()),
                at: super::view::timestamp(&r.created_at),
                summary: r.summary,
                title: record
                    .as_ref()
                    .map(|rec| rec.title().to_owned())
                    .unwrap_or_default(),
                date,
                status,
                compare_url: (r.version > oldest)
                    .then(|| paths::compare(entity, id, r.version - 1, r.version)),
                current: r.version == current,
            }
        })
        .collect();
    Ok(HistoryPage {
        compare_action: paths::compare_form(entity, id),
        revert_action: paths::revert(entity, id),
        title,
        record_url,
        noun: entity.as_str(),
        revisions,
        version: current,
        csrf: viewer.csrf,
        csrf_field: CSRF_FIELD,
    }
    .into_response())
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
    history_url: String,
    /// Where the form comparing two other versions goes.
    compare_action: String,
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

/// Any two revisions of an event, an actor or a source (`T`), field by field; changed
/// fields first.
pub async fn compare<T: Snapshot>(
    State(state): State<AppState>,
    _: Editor,
    PathParams(id): PathParams<i64>,
    QueryParams(query): QueryParams<CompareQuery>,
) -> Result<Response> {
    compare_of(&state, T::ENTITY, id, query).await
}

async fn compare_of(state: &AppState, entity: Entity, id: i64, query: CompareQuery) -> Result<Response> {
    let (title, record_url, _) = head(state, entity, id).await?;
    let revisions = state.db.revisions_of(entity, id).await?;
    let pick = |param: &Option<String>, name: &str| -> Result<&Revision> {
        let version: i64 = param
            .as_deref()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| Error::BadRequest(format!("Say which version to compare: {name}=NUMBER.")))?;
        revisions
            .iter()
            .find(|r| r.version == version)
            .ok_or_else(|| Error::BadRequest(format!("This {entity} has no version {version}.")))
    };
    let (from, to) = (pick(&query.from, "from")?, pick(&query.to, "to")?);
    let fields_of = |r: &Revision| Recorded::of(entity, r).map(|rec| rec.fields());
    let (before, after) = match (fields_of(from), fields_of(to)) {
        (Some(before), Some(after)) => (before, after),
        (Some(before), None) => {
            let after = unreadable(Some(&before));
            (before, after)
        }
        (None, Some(after)) => (unreadable(Some(&after)), after),
        (None, None) => (unreadable(None), unreadable(None)),
    };
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
    let head_of = |r: &Revision| RevisionHead {
        version: r.version,
        action: r.action.label(),
        editor: r.editor.clone().unwrap_or_else(|| "(removed account)".to_owned()),
        at: super::view::timestamp(&r.created_at),
        summary: r.summary.clone(),
    };
    let mut versions: Vec<i64> = revisions.iter().map(|r| r.version).collect();
    versions.sort_unstable();
    Ok(ComparePage {
        history_url: paths::history(entity, id),
        compare_action: paths::compare_form(entity, id),
        title,
        record_url,
        from: head_of(from),
        to: head_of(to),
        fields,
        unchanged,
        versions,
    }
    .into_response())
}

/// One line for a value that may be empty.
fn one(value: String) -> Vec<String> {
    if value.is_empty() { Vec::new() } else { vec![value] }
}

/// An event as labelled fields.
pub(super) fn event_fields(event: &Event) -> Vec<(&'static str, Vec<String>)> {
    let status = match (event.status, event.status_reason.as_str()) {
        (EventStatus::Retracted, reason) if !reason.is_empty() => format!("retracted: {reason}"),
        (status, _) => status.as_str().to_owned(),
    };
    let edtf = event.date.edtf();
    vec![
        ("Title", one(event.title.clone())),
        ("Type", one(event.event_type.label().to_owned())),
        (
            "Kind of agreement",
            one(event
                .agreement_kind
                .map(|k| k.label().to_owned())
                .unwrap_or_default()),
        ),
        ("Date", one(format!("{} ({edtf})", human_date(&edtf)))),
        (
            "How the date was established",
            one(match &event.date_note_inference {
                Some(why) if !event.date_note.is_empty() => {
                    format!("{} (editors' inference: {why})", event.date_note)
                }
                _ => event.date_note.clone(),
            }),
        ),
        (
            "Further dates",
            event
                .key_dates
                .labelled()
                .into_iter()
                .map(|(label, date)| format!("{label}: {}", date.display()))
                .collect(),
        ),
        (
            "Verification",
            one(match event.verification {
                Some(status) => format!("{} ({})", status.label(), event.verification_reason),
                None => String::new(),
            }),
        ),
        (
            "Place",
            one(match (&event.place, &event.place_inference) {
                (Some(place), Some(why)) => format!("{place} (editors' inference: {why})"),
                (Some(place), None) => place.clone(),
                (None, _) => String::new(),
            }),
        ),
        (
            "Country of the place",
            one(event.location_country.clone().unwrap_or_default()),
        ),
        (
            "Summary",
            event
                .summary
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        ("Status", one(status)),
        ("Tags", event.tags.clone()),
        (
            "Participants",
            event
                .participants
                .iter()
                .map(|p| {
                    let line = match &p.title {
                        Some(title) => format!("{}: {}, {title}", p.name, p.role),
                        None => format!("{}: {}", p.name, p.role),
                    };
                    match &p.inference {
                        Some(why) => format!("{line} (editors' inference: {why})"),
                        None => line,
                    }
                })
                .collect(),
        ),
        (
            "Sources",
            event
                .citations
                .iter()
                .flat_map(|c| {
                    let claimed = c
                        .claimed_date
                        .as_ref()
                        .map(|d| {
                            format!(
                                " (dates it {}{})",
                                human_date(&d.edtf()),
                                ranked(c.claimed_date_rank, &c.claimed_date_rank_reason)
                            )
                        })
                        .unwrap_or_default();
                    let first = format!("{}, “{}”: “{}”{claimed}", c.outlet, c.source_title, c.passage);
                    std::iter::once(first).chain(c.claims.iter().map(|claim| {
                        format!(
                            "{} says {}: {}{}",
                            c.outlet,
                            claim.topic,
                            claim.value,
                            ranked(claim.rank, &claim.rank_reason)
                        )
                    }))
                })
                .collect(),
        ),
        (
            "Related events",
            event
                .relations
                .iter()
                .map(|r| {
                    let note = if r.note.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", r.note)
                    };
                    let inference = r
                        .inference
                        .as_ref()
                        .map(|why| format!(" (editors' inference: {why})"))
                        .unwrap_or_default();
                    format!(
                        "{} #{} {}{note}{inference}",
                        r.relation.label(),
                        r.to_event_id,
                        r.title
                    )
                })
                .collect(),
        ),
    ]
}

/// An actor as labelled fields.
fn actor_fields(actor: &Actor) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("Name", one(actor.name.clone())),
        ("Kind", one(actor.kind.label().to_owned())),
        ("ISO code", one(actor.iso_code.clone().unwrap_or_default())),
        ("Country", one(actor.country.clone().unwrap_or_default())),
        ("Description", one(actor.description.clone())),
        ("Other names", actor.aliases.clone()),
    ]
}

/// A source as labelled fields.
fn source_fields(source: &Source) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("Outlet", one(source.outlet.clone())),
        ("Title", one(source.title.clone())),
        ("Address", one(source.url.clone().unwrap_or_default())),
        (
            "Published",
            one(source.published.as_ref().map(|d| d.edtf()).unwrap_or_default()),
        ),
        ("Author", one(source.author.clone().unwrap_or_default())),
        ("About this source", one(source.notes.clone())),
        (
            "Archived copy",
            one(source.archive_url.clone().unwrap_or_default()),
        ),
        (
            "Derived from",
            one(match source.derived_from {
                Some(id) if source.derived_note.is_empty() => format!("source #{id}"),
                Some(id) => format!("source #{id} ({})", source.derived_note),
                None => String::new(),
            }),
        ),
        (
            "Retrieved",
            one(source.retrieved.as_ref().map(|d| d.display()).unwrap_or_default()),
        ),
    ]
}

fn outlet_fields(outlet: &Outlet) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("Name", one(outlet.name.clone())),
        ("Kind", one(outlet.kind.label().to_owned())),
        ("Country", one(outlet.country.clone().unwrap_or_default())),
        ("Language", one(outlet.language.clone())),
        ("Note", one(outlet.note.clone())),
    ]
}

#[derive(Debug, Deserialize)]
pub struct RevertForm {
    #[serde(default)]
    from_version: String,
    #[serde(default)]
    version: String,
}

/// Brings back an earlier version of an event, an actor or a source (`T`), as a new
/// revision, through the same write as a form save.
pub async fn revert<T: Snapshot>(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<RevertForm>,
) -> Result<Response> {
    let from_version =
        form.from_version.trim().parse::<i64>().map_err(|_| {
            Error::BadRequest("The form does not say which version to bring back.".to_owned())
        })?;
    let version = super::form::form_version(&form.version)?;
    let entity = T::ENTITY;
    let (saved, notice) = match entity {
        Entity::Event => {
            let (saved, left_out) = state.db.revert_event(id, version, from_version, user.id).await?;
            let mut notice = format!("The content of version {from_version} is back, as a new version.");
            if left_out > 0 {
                notice.push_str(&format!(
                    " {left_out} participant(s), source(s) or related event(s) of that version no longer \
                     exist and were left out."
                ));
            }
            (saved, notice)
        }
        Entity::Actor => (
            state.db.revert_actor(id, version, from_version, user.id).await?,
            format!("Version {from_version} is back, as a new version."),
        ),
        Entity::Source => (
            state.db.revert_source(id, version, from_version, user.id).await?,
            format!("Version {from_version} is back, as a new version."),
        ),
        Entity::Outlet => (
            state.db.revert_outlet(id, version, from_version, user.id).await?,
            format!("Version {from_version} is back, as a new version."),
        ),
    };
    match saved {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, entity = entity.as_str(), id, from_version, "earlier version brought back");
            session::set_notice(&session, &notice).await?;
            Ok(Redirect::to(&match entity {
                Entity::Event => paths::event_short(id),
                _ => paths::history(entity, id),
            })
            .into_response())
        }
        Saved::Conflict { .. } => Err(Error::Conflict(format!(
            "Someone changed this {entity} after you loaded its history. Reload the history, \
             check the change, and try again."
        ))),
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
            at: super::view::timestamp(&r.created_at),
            editor: r.editor.unwrap_or_else(|| "(removed account)".to_owned()),
            action: r.action.label(),
            kind: r.entity.label(),
            title: r.title.unwrap_or_default(),
            url: r.still_exists.then(|| match r.entity {
                Entity::Source | Entity::Outlet => paths::history(r.entity, r.entity_id),
                entity => paths::record(entity, r.entity_id),
            }),
            compare_url: (r.still_exists && r.has_previous)
                .then(|| paths::compare(r.entity, r.entity_id, r.version - 1, r.version)),
            summary: r.summary,
            version: r.version,
        })
        .collect();
    Ok(ChangesPage { changes }.into_response())
}

/// A claim's rank as a history line ends in it: nothing for a plain preferred claim,
/// else ", alternative: why".
fn ranked(rank: crate::domain::Rank, reason: &str) -> String {
    match (rank.is_preferred(), reason.is_empty()) {
        (true, true) => String::new(),
        (_, true) => format!(", {rank}"),
        (_, false) => format!(", {rank}: {reason}"),
    }
}

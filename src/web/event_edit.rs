//! Editors' event forms: create a draft, edit an event's own fields, publish, retract
//! and restore, and the history of revisions. Validation happens on the server; errors
//! are shown beside their fields with the editor's input kept. An edit carries the
//! version it was loaded from: saving over a newer version shows a conflict page with
//! the other change and the editor's own input, so nothing is lost.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::extract::{Form, PathParams};
use super::session::{self, CSRF_FIELD, Editor};
use super::view::{agreement_kind_label, event_type_label, human_date};
use crate::dates::EventDate;
use crate::error::{Error, Result};
use crate::store::editing::{EventFields, Revision, Saved, StatusChange};
use crate::store::events::EventDetail;
use crate::store::{AGREEMENT_KINDS, EVENT_TYPES};

/// Longest title accepted.
const MAX_TITLE_CHARS: usize = 300;
/// Longest summary accepted (Markdown source).
const MAX_SUMMARY_CHARS: usize = 20_000;
/// Longest tag accepted.
const MAX_TAG_CHARS: usize = 60;

/// The form as submitted: every field as text, so that it can be shown again as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub event_type: String,
    #[serde(default)]
    pub agreement_kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub date_note: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub location_country: String,
    #[serde(default)]
    pub summary: String,
    /// Comma-separated.
    #[serde(default)]
    pub tags: String,
    /// The editor's note on what changed, kept with the revision.
    #[serde(default)]
    pub edit_summary: String,
    /// The version the form was loaded from (edits only).
    #[serde(default)]
    pub version: String,
    /// Present when the "Preview the date" button was pressed: show, do not save.
    #[serde(default)]
    pub preview: Option<String>,
}

/// A refused field: its id in the form and what to do about it.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// How a date will read on the timeline.
pub struct DatePreview {
    pub display: String,
    pub precision: &'static str,
    pub range: String,
}

/// Another editor's save that came between loading and saving the form.
pub struct ConflictView {
    pub editor: String,
    pub at: String,
    pub summary: String,
    /// Fields whose saved value differs from the editor's: (label, saved, yours).
    pub differences: Vec<(&'static str, String, String)>,
}

pub struct SelectOption {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_form.html")]
pub struct EventFormPage {
    heading: String,
    action: String,
    /// The event's permalink, when editing.
    event_url: Option<String>,
    history_url: String,
    form: EventForm,
    errors: Vec<FieldError>,
    date_preview: Option<DatePreview>,
    types: Vec<SelectOption>,
    kinds: Vec<SelectOption>,
    countries: Vec<SelectOption>,
    csrf: String,
    csrf_field: &'static str,
    conflict: Option<ConflictView>,
}

impl EventFormPage {
    /// The message for a field, if it was refused.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    async fn new(
        state: &AppState,
        csrf: String,
        form: EventForm,
        existing: Option<&EventDetail>,
    ) -> Result<EventFormPage> {
        let countries = state.db.countries().await?;
        let (heading, action, event_url) = match existing {
            Some(detail) => (
                format!("Edit “{}”", detail.event.title),
                format!("/events/{}/edit", detail.event.id),
                Some(format!("/events/{}/{}", detail.event.id, detail.event.slug)),
            ),
            None => ("New event".to_owned(), "/events/new".to_owned(), None),
        };
        let history_url = action.replace("/edit", "/history");
        Ok(EventFormPage {
            heading,
            history_url,
            action,
            event_url,
            form,
            errors: Vec::new(),
            date_preview: None,
            types: EVENT_TYPES
                .iter()
                .map(|t| SelectOption {
                    value: (*t).to_owned(),
                    label: event_type_label(t).to_owned(),
                })
                .collect(),
            kinds: AGREEMENT_KINDS
                .iter()
                .map(|k| SelectOption {
                    value: (*k).to_owned(),
                    label: agreement_kind_label(k).to_owned(),
                })
                .collect(),
            countries: countries
                .into_iter()
                .map(|(iso, name)| SelectOption {
                    value: iso,
                    label: name,
                })
                .collect(),
            csrf,
            csrf_field: CSRF_FIELD,
            conflict: None,
        })
    }
}

/// The form's values for an existing event.
async fn form_of(state: &AppState, detail: &EventDetail) -> Result<EventForm> {
    let event = &detail.event;
    let location_country = match event.location_country_id {
        Some(id) => state.db.country_iso(id).await?.unwrap_or_default(),
        None => String::new(),
    };
    Ok(EventForm {
        title: event.title.clone(),
        event_type: event.event_type.clone(),
        agreement_kind: event.agreement_kind.clone().unwrap_or_default(),
        date: event.date_edtf.clone(),
        date_note: event.date_note.clone(),
        place: event.place.clone().unwrap_or_default(),
        location_country,
        summary: event.summary.clone(),
        tags: detail.tags.join(", "),
        edit_summary: String::new(),
        version: event.version.to_string(),
        preview: None,
    })
}

/// Checks every field; all problems are reported at once.
async fn validate(state: &AppState, form: &EventForm) -> Result<Result<EventFields, Vec<FieldError>>> {
    let mut errors = Vec::new();
    let mut refuse = |field, message: String| errors.push(FieldError { field, message });
    let title = form.title.trim();
    if title.is_empty() {
        refuse("title", "Give the event a title.".to_owned());
    } else if title.chars().count() > MAX_TITLE_CHARS {
        refuse(
            "title",
            format!("Keep the title under {MAX_TITLE_CHARS} characters."),
        );
    }
    if !EVENT_TYPES.contains(&form.event_type.as_str()) {
        refuse("event_type", "Choose the type of event.".to_owned());
    }
    let kind = form.agreement_kind.trim();
    if !kind.is_empty() {
        if form.event_type != "agreement" {
            refuse(
                "agreement_kind",
                "Only agreements have a kind; leave it empty or choose the type Agreement.".to_owned(),
            );
        } else if !AGREEMENT_KINDS.contains(&kind) {
            refuse(
                "agreement_kind",
                "Choose a kind of agreement from the list.".to_owned(),
            );
        }
    }
    let date = if form.date.trim().is_empty() {
        refuse(
            "date",
            "Give the date as far as it is known: 2023, 2023-05, 2023-07-31, a range such as \
             2023-06/2023-07-31, or 2023-05~ when approximate."
                .to_owned(),
        );
        None
    } else {
        match EventDate::parse(&form.date) {
            Ok(date) => Some(date),
            Err(e) => {
                refuse("date", e.to_string());
                None
            }
        }
    };
    let location_country_id = match form.location_country.trim() {
        "" => None,
        iso => {
            let id = state.db.country_by_iso(iso).await?;
            if id.is_none() {
                refuse(
                    "location_country",
                    format!("There is no country with the code “{iso}”."),
                );
            }
            id
        }
    };
    if form.summary.chars().count() > MAX_SUMMARY_CHARS {
        refuse(
            "summary",
            format!("Keep the summary under {MAX_SUMMARY_CHARS} characters."),
        );
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in form
        .tags
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > MAX_TAG_CHARS {
            refuse(
                "tags",
                format!("“{tag}” is too long for a tag (at most {MAX_TAG_CHARS} characters)."),
            );
        } else if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    match date {
        Some(date) if errors.is_empty() => Ok(Ok(EventFields {
            title: title.to_owned(),
            event_type: form.event_type.clone(),
            agreement_kind: (!kind.is_empty()).then(|| kind.to_owned()),
            date,
            date_note: form.date_note.trim().to_owned(),
            place: Some(form.place.trim().to_owned()).filter(|p| !p.is_empty()),
            location_country_id,
            summary: form.summary.trim().to_owned(),
            tags,
        })),
        _ => Ok(Err(errors)),
    }
}

fn preview_of(text: &str) -> Option<DatePreview> {
    let date = EventDate::parse(text).ok()?;
    Some(DatePreview {
        display: human_date(&date.edtf()),
        precision: date.precision().label(),
        range: format!(
            "from {} to {}",
            crate::dates::iso_day(date.earliest()),
            crate::dates::iso_day(date.latest())
        ),
    })
}

/// Shows the form again: with errors (422), or with the date preview asked for (200).
fn form_again(mut page: EventFormPage, errors: Vec<FieldError>) -> Response {
    page.date_preview = preview_of(&page.form.date);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.errors = errors;
    (status, page).into_response()
}

pub async fn new_form(State(state): State<AppState>, Editor(_, viewer): Editor) -> Result<Response> {
    let form = EventForm {
        event_type: "meeting".to_owned(),
        ..EventForm::default()
    };
    Ok(EventFormPage::new(&state, viewer.csrf, form, None)
        .await?
        .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    Form(form): Form<EventForm>,
) -> Result<Response> {
    let checked = validate(&state, &form).await?;
    let preview = form.preview.is_some();
    let page = EventFormPage::new(&state, viewer.csrf, form, None).await?;
    let fields = match checked {
        Ok(_) if preview => return Ok(form_again(page, Vec::new())),
        Ok(fields) => fields,
        Err(errors) => return Ok(form_again(page, errors)),
    };
    let id = state
        .db
        .create_event(&fields, user.id, &page.form.edit_summary)
        .await?;
    tracing::info!(editor = %user.name, event = id, "event created");
    session::set_notice(
        &session,
        "Saved as a draft: readers will see it once it is published.",
    )
    .await?;
    Ok(Redirect::to(&format!("/events/{id}")).into_response())
}

async fn load(state: &AppState, id: i64) -> Result<EventDetail> {
    state.db.event(id).await?.ok_or(Error::NotFound)
}

pub async fn edit_form(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    let form = form_of(&state, &detail).await?;
    Ok(EventFormPage::new(&state, viewer.csrf, form, Some(&detail))
        .await?
        .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<EventForm>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    let version: i64 = form.version.trim().parse().map_err(|_| {
        Error::BadRequest("The form does not say which version it was loaded from; reload it.".to_owned())
    })?;
    let checked = validate(&state, &form).await?;
    let preview = form.preview.is_some();
    let mut page = EventFormPage::new(&state, viewer.csrf, form, Some(&detail)).await?;
    let fields = match checked {
        Ok(_) if preview => return Ok(form_again(page, Vec::new())),
        Ok(fields) => fields,
        Err(errors) => return Ok(form_again(page, errors)),
    };
    match state
        .db
        .update_event(id, version, &fields, user.id, &page.form.edit_summary)
        .await?
    {
        Saved::Saved { version } => {
            tracing::info!(editor = %user.name, event = id, version, "event saved");
            session::set_notice(&session, "Saved.").await?;
            Ok(Redirect::to(&format!("/events/{id}")).into_response())
        }
        Saved::Conflict { current_version } => {
            let current = load(&state, id).await?;
            let saved_form = form_of(&state, &current).await?;
            let latest = state.db.event_revisions(id).await?.into_iter().next();
            page.conflict = Some(conflict_view(&saved_form, &page.form, latest.as_ref()));
            // Saving again applies the editor's (merged) input over the newer version.
            page.form.version = current_version.to_string();
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

fn conflict_view(saved: &EventForm, yours: &EventForm, latest: Option<&Revision>) -> ConflictView {
    let pairs: [(&'static str, &String, &String); 9] = [
        ("Title", &saved.title, &yours.title),
        ("Type", &saved.event_type, &yours.event_type),
        ("Kind of agreement", &saved.agreement_kind, &yours.agreement_kind),
        ("Date", &saved.date, &yours.date),
        ("How the date was established", &saved.date_note, &yours.date_note),
        ("Place", &saved.place, &yours.place),
        (
            "Country of the place",
            &saved.location_country,
            &yours.location_country,
        ),
        ("Summary", &saved.summary, &yours.summary),
        ("Tags", &saved.tags, &yours.tags),
    ];
    ConflictView {
        editor: latest
            .and_then(|r| r.editor.clone())
            .unwrap_or_else(|| "another editor".to_owned()),
        at: latest
            .map(|r| r.created_at.replace('T', " ").replace('Z', " UTC"))
            .unwrap_or_default(),
        summary: latest.map(|r| r.summary.clone()).unwrap_or_default(),
        differences: pairs
            .into_iter()
            .filter(|(_, a, b)| a.trim() != b.trim())
            .map(|(label, a, b)| (label, a.clone(), b.clone()))
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// Publish, unpublish, retract (with a reason) or restore.
pub async fn change_status(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response> {
    let change = StatusChange::parse(&form.action)
        .ok_or_else(|| Error::BadRequest(format!("“{}” is not a status change.", form.action)))?;
    let version: i64 = form.version.trim().parse().map_err(|_| {
        Error::BadRequest("The form does not say which version it was loaded from.".to_owned())
    })?;
    if change == StatusChange::Retract && form.reason.trim().is_empty() {
        return Err(Error::Invalid(
            "Say why the event is retracted: readers are shown the reason.".to_owned(),
        ));
    }
    match state
        .db
        .change_event_status(id, version, change, &form.reason, user.id)
        .await?
    {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, event = id, action = change.action(), "status changed");
            let notice = match change {
                StatusChange::Publish => "Published: readers can see it now.",
                StatusChange::Unpublish => "Unpublished: back to a draft, hidden from readers.",
                StatusChange::Retract => "Retracted: readers see only that it was withdrawn, and why.",
                StatusChange::Restore => "Restored as a draft: check it, then publish it again.",
            };
            session::set_notice(&session, notice).await?;
            Ok(Redirect::to(&format!("/events/{id}")).into_response())
        }
        Saved::Conflict { .. } => Err(Error::Conflict(
            "Someone changed this event after you loaded the page. Reload it, check the \
             change, and try again."
                .to_owned(),
        )),
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
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_history.html")]
pub struct HistoryPage {
    title: String,
    event_url: String,
    revisions: Vec<RevisionView>,
}

pub async fn history(
    State(state): State<AppState>,
    _: Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    let revisions = state
        .db
        .event_revisions(id)
        .await?
        .into_iter()
        .map(|r| {
            let snapshot: serde_json::Value = serde_json::from_str(&r.snapshot).unwrap_or_default();
            let text = |key: &str| {
                snapshot
                    .get(key)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            RevisionView {
                version: r.version,
                action: match r.action.as_str() {
                    "create" => "Created",
                    "edit" => "Edited",
                    "publish" => "Published",
                    "unpublish" => "Unpublished",
                    "retract" => "Retracted",
                    "restore" => "Restored",
                    _ => "Changed",
                },
                editor: r.editor.unwrap_or_else(|| "(removed account)".to_owned()),
                at: r.created_at.replace('T', " ").replace('Z', " UTC"),
                summary: r.summary,
                title: text("title"),
                date: human_date(&text("date")),
                status: text("status"),
            }
        })
        .collect();
    Ok(HistoryPage {
        title: detail.event.title.clone(),
        event_url: format!("/events/{}/{}", detail.event.id, detail.event.slug),
        revisions,
    }
    .into_response())
}

//! A source's edit form: outlet, title, address, date, author and notes, for every
//! event citing it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::extract::{Form, PathParams, QueryParams};
use super::form::differences;
use super::session::{self, CSRF_FIELD, Editor};
use crate::dates::EventDate;
use crate::domain::{Source, text};
use crate::error::{Error, Result};
use crate::store::editing::Saved;

/// The source form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SourceForm {
    #[serde(default)]
    outlet: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    archive_url: String,
    #[serde(default)]
    retrieved: String,
    /// The source this one derives from: `#12` or `12`.
    #[serde(default)]
    derived_from: String,
    #[serde(default)]
    derived_note: String,
    #[serde(default)]
    edit_summary: String,
    #[serde(default)]
    version: String,
    /// Where to go back to (an event page).
    #[serde(default)]
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "source_form.html")]
pub struct SourceFormPage {
    id: i64,
    form: SourceForm,
    errors: Vec<(&'static str, String)>,
    /// After a stale save: the fields saved meanwhile that differ from the input.
    conflict: Option<Vec<(&'static str, String, String)>>,
    /// The events citing the source: (url, title).
    cited_by: Vec<(String, String)>,
    csrf: String,
    csrf_field: &'static str,
}

impl SourceFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn source_page(state: &AppState, id: i64, form: SourceForm, csrf: String) -> Result<SourceFormPage> {
    let cited_by = state
        .db
        .events_citing(id)
        .await?
        .into_iter()
        .map(|(event, title, slug)| (crate::paths::event(event, &slug), title))
        .collect();
    Ok(SourceFormPage {
        id,
        form,
        errors: Vec::new(),
        conflict: None,
        cited_by,
        csrf,
        csrf_field: CSRF_FIELD,
    })
}

pub async fn source_form(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
    QueryParams(query): QueryParams<NextQuery>,
) -> Result<Response> {
    let (source, version) = state.db.source_record(id).await?.ok_or(Error::NotFound)?;
    let form = source_form_of(source, version, query.next.as_deref().unwrap_or("/"));
    Ok(source_page(&state, id, form, viewer.csrf).await?.into_response())
}

/// The form's values for a source as it is stored.
fn source_form_of(source: Source, version: i64, next: &str) -> SourceForm {
    SourceForm {
        outlet: source.outlet,
        title: source.title,
        url: source.url.unwrap_or_default(),
        published: source.published.map(|d| d.edtf()).unwrap_or_default(),
        author: source.author.unwrap_or_default(),
        notes: source.notes,
        archive_url: source.archive_url.unwrap_or_default(),
        retrieved: source.retrieved.map(|d| d.edtf()).unwrap_or_default(),
        derived_from: source.derived_from.map(|id| format!("#{id}")).unwrap_or_default(),
        derived_note: source.derived_note,
        edit_summary: String::new(),
        version: version.to_string(),
        next: session::local_path(next),
    }
}

pub async fn update_source(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<SourceForm>,
) -> Result<Response> {
    state.db.source_record(id).await?.ok_or(Error::NotFound)?;
    let version = super::form::form_version(&form.version)?;
    let mut form = form;
    form.next = session::local_path(&form.next);
    let mut errors = Vec::new();
    if form.outlet.trim().is_empty() {
        errors.push(("outlet", "Name the outlet.".to_owned()));
    } else if let Some(message) = text::name_refusal("the outlet", form.outlet.trim(), text::MAX_NAME_CHARS) {
        errors.push(("outlet", message));
    }
    if !text::has_visible(&form.title) {
        errors.push(("title", "Give the title of the article or document.".to_owned()));
    }
    for (field, label, value, max) in [
        ("title", "the title", &form.title, text::MAX_LINE_CHARS),
        ("url", "the address", &form.url, text::MAX_URL_CHARS),
        (
            "archive_url",
            "the archived copy's address",
            &form.archive_url,
            text::MAX_URL_CHARS,
        ),
        ("author", "the author", &form.author, text::MAX_NAME_CHARS),
        ("notes", "the notes", &form.notes, text::MAX_TEXT_CHARS),
        (
            "derived_note",
            "the note",
            &form.derived_note,
            text::MAX_NOTE_CHARS,
        ),
    ] {
        if let Some(message) = text::too_long(label, value.trim(), max) {
            errors.push((field, message));
        }
    }
    let url = Some(form.url.trim()).filter(|u| !u.is_empty());
    if url.is_some() && super::view::web_link(url).is_none() {
        errors.push((
            "url",
            "The address must start with http:// or https://.".to_owned(),
        ));
    }
    let archive_url = Some(form.archive_url.trim()).filter(|u| !u.is_empty());
    if archive_url.is_some() && super::view::web_link(archive_url).is_none() {
        errors.push((
            "archive_url",
            "The archived copy's address must start with http:// or https://.".to_owned(),
        ));
    }
    let retrieved = match form.retrieved.trim() {
        "" => None,
        text => match EventDate::parse(text) {
            Ok(date) => Some(date),
            Err(e) => {
                errors.push(("retrieved", e.to_string()));
                None
            }
        },
    };
    let derived_from = match form.derived_from.trim().trim_start_matches('#').trim() {
        "" => None,
        number => match number.parse::<i64>() {
            Ok(parent) => {
                if let Some(problem) = state.db.derivation_problem(id, Some(parent)).await? {
                    errors.push(("derived_from", problem));
                }
                Some(parent)
            }
            Err(_) => {
                errors.push((
                    "derived_from",
                    "Give the source it derives from by its number, as #12.".to_owned(),
                ));
                None
            }
        },
    };
    let published = match form.published.trim() {
        "" => None,
        text => match EventDate::parse(text) {
            Ok(date) => Some(date),
            Err(e) => {
                errors.push(("published", e.to_string()));
                None
            }
        },
    };
    if !errors.is_empty() {
        let mut page = source_page(&state, id, form, viewer.csrf).await?;
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let fields = Source {
        outlet: form.outlet.trim().to_owned(),
        title: form.title.trim().to_owned(),
        url: url.map(str::to_owned),
        published,
        author: Some(form.author.trim().to_owned()).filter(|a| !a.is_empty()),
        notes: form.notes.trim().to_owned(),
        archive_url: archive_url.map(str::to_owned),
        retrieved,
        derived_from,
        derived_note: form.derived_note.trim().to_owned(),
    };
    match state
        .db
        .update_source(id, version, &fields, user.id, &form.edit_summary)
        .await?
    {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, source = id, "source saved");
            session::set_notice(&session, "Source saved: every event citing it shows the change.").await?;
            Ok(Redirect::to(&session::local_path(&form.next)).into_response())
        }
        Saved::Conflict { .. } => {
            let (current, version) = state.db.source_record(id).await?.ok_or(Error::NotFound)?;
            let saved = source_form_of(current, version, &form.next);
            let mut form = form;
            let conflict = differences(&[
                ("Outlet", &saved.outlet, &form.outlet),
                ("Title", &saved.title, &form.title),
                ("Address", &saved.url, &form.url),
                ("Published", &saved.published, &form.published),
                ("Author", &saved.author, &form.author),
                ("About this source", &saved.notes, &form.notes),
                ("Archived copy", &saved.archive_url, &form.archive_url),
                ("Retrieved", &saved.retrieved, &form.retrieved),
                ("Derived from", &saved.derived_from, &form.derived_from),
                ("How it derives", &saved.derived_note, &form.derived_note),
            ]);
            form.version = saved.version;
            let mut page = source_page(&state, id, form, viewer.csrf).await?;
            page.conflict = Some(conflict);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

//! An outlet's edit form: name, kind, country, language and note, kept with revisions.
//! Renaming an outlet renames it on every source that names it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::extract::{Form, PathParams};
use super::form::SelectOption;
use super::form::differences;
use super::session::{self, CSRF_FIELD, Editor};
use crate::domain::{Outlet, OutletKind, text};
use crate::error::{Error, Result};
use crate::store::editing::Saved;
use crate::store::outlets::OutletRecord;

/// The outlet form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutletForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    /// The country's ISO code.
    #[serde(default)]
    country: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    edit_summary: String,
    #[serde(default)]
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "outlet_form.html")]
pub struct OutletFormPage {
    id: i64,
    form: OutletForm,
    errors: Vec<(&'static str, String)>,
    conflict: Option<Vec<(&'static str, String, String)>>,
    kinds: Vec<SelectOption>,
    countries: Vec<SelectOption>,
    csrf: String,
    csrf_field: &'static str,
}

impl OutletFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn outlet_page(state: &AppState, id: i64, form: OutletForm, csrf: String) -> Result<OutletFormPage> {
    let countries = state.db.countries(true).await?;
    Ok(OutletFormPage {
        id,
        form,
        errors: Vec::new(),
        conflict: None,
        kinds: OutletKind::ALL
            .iter()
            .map(|k| SelectOption {
                value: k.as_str().to_owned(),
                label: k.label().to_owned(),
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
    })
}

/// The form's values for an outlet as it is stored.
async fn outlet_form_of(state: &AppState, record: OutletRecord) -> Result<OutletForm> {
    let country = match record.outlet.country_id {
        Some(id) => state.db.country_iso(id).await?.unwrap_or_default(),
        None => String::new(),
    };
    Ok(OutletForm {
        name: record.outlet.name,
        kind: record.outlet.kind.as_str().to_owned(),
        country,
        language: record.outlet.language,
        note: record.outlet.note,
        edit_summary: String::new(),
        version: record.version.to_string(),
    })
}

pub async fn outlet_form(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let record = state.db.outlet_record(id).await?.ok_or(Error::NotFound)?;
    let form = outlet_form_of(&state, record).await?;
    Ok(outlet_page(&state, id, form, viewer.csrf).await?.into_response())
}

pub async fn update_outlet(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<OutletForm>,
) -> Result<Response> {
    state.db.outlet_record(id).await?.ok_or(Error::NotFound)?;
    let version = super::form::form_version(&form.version)?;
    let mut errors = Vec::new();
    if !text::has_visible(&form.name) {
        errors.push((
            "name",
            "Give the outlet's name, as its sources name it.".to_owned(),
        ));
    } else if let Some(message) = text::name_refusal("the name", form.name.trim(), text::MAX_NAME_CHARS) {
        errors.push(("name", message));
    }
    let kind = OutletKind::parse(form.kind.trim()).unwrap_or_else(|| {
        errors.push((
            "kind",
            format!("Choose what kind of outlet it is ({}).", OutletKind::terms()),
        ));
        OutletKind::Unidentified
    });
    for (field, label, value, max) in [
        ("language", "the language", &form.language, text::MAX_NAME_CHARS),
        ("note", "the note", &form.note, text::MAX_TEXT_CHARS),
    ] {
        if let Some(message) = text::too_long(label, value.trim(), max) {
            errors.push((field, message));
        }
    }
    let country_id = match form.country.trim() {
        "" => None,
        code => match state.db.country_by_iso(code).await? {
            Some(id) => Some(id),
            None => {
                errors.push(("country", format!("There is no country with the code “{code}”.")));
                None
            }
        },
    };
    if !errors.is_empty() {
        let mut page = outlet_page(&state, id, form, viewer.csrf).await?;
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let fields = Outlet {
        name: form.name.trim().to_owned(),
        kind,
        country_id,
        country: None,
        language: form.language.trim().to_owned(),
        note: form.note.trim().to_owned(),
    };
    let saved = match state
        .db
        .update_outlet(id, version, &fields, user.id, &form.edit_summary)
        .await
    {
        Ok(saved) => saved,
        // A rule checked at the write (the name taken, the country merged meanwhile):
        // the form again, with the message beside the field.
        Err(Error::Conflict(message)) | Err(Error::Invalid(message)) => {
            let field = if message.contains("country") {
                "country"
            } else {
                "name"
            };
            let mut page = outlet_page(&state, id, form, viewer.csrf).await?;
            page.errors = vec![(field, message)];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e),
    };
    match saved {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, outlet = id, "outlet saved");
            session::set_notice(&session, "Outlet saved.").await?;
            Ok(Redirect::to(&crate::paths::outlet(&fields.name)).into_response())
        }
        Saved::Conflict { .. } => {
            let current = state.db.outlet_record(id).await?.ok_or(Error::NotFound)?;
            let saved = outlet_form_of(&state, current).await?;
            let mut form = form;
            let conflict = differences(&[
                ("Name", &saved.name, &form.name),
                ("Kind", &saved.kind, &form.kind),
                ("Country", &saved.country, &form.country),
                ("Language", &saved.language, &form.language),
                ("Note", &saved.note, &form.note),
            ]);
            form.version = saved.version;
            let mut page = outlet_page(&state, id, form, viewer.csrf).await?;
            page.conflict = Some(conflict);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

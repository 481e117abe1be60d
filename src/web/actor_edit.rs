//! An actor's edit form: fix a name, an alias, a code or a description once, and every
//! event naming the actor shows it. A stale form shows the other change beside the
//! editor's input.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::extract::{Form, PathParams};
use super::form::{SelectOption, differences};
use super::session::{self, CSRF_FIELD, Editor};
use crate::domain::edit::ActorFields;
use crate::domain::{ActorKind, text};
use crate::error::{Error, Result};
use crate::store::actors::Actor;
use crate::store::editing::Saved;

/// The actor form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActorForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    iso_code: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    description: String,
    /// One per line.
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    edit_summary: String,
    #[serde(default)]
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "actor_form.html")]
pub struct ActorFormPage {
    actor: Actor,
    form: ActorForm,
    errors: Vec<(&'static str, String)>,
    /// After a stale save: the fields saved meanwhile that differ from the input.
    conflict: Option<Vec<(&'static str, String, String)>>,
    kinds: Vec<SelectOption>,
    countries: Vec<SelectOption>,
    csrf: String,
    csrf_field: &'static str,
}

impl ActorFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    async fn new(state: &AppState, actor: Actor, form: ActorForm, csrf: String) -> Result<Self> {
        Ok(ActorFormPage {
            actor,
            form,
            errors: Vec::new(),
            conflict: None,
            kinds: ActorKind::ALL
                .iter()
                .map(|k| SelectOption {
                    value: k.as_str().to_owned(),
                    label: k.label().to_owned(),
                })
                .collect(),
            countries: state
                .db
                .countries(true)
                .await?
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
}

pub(super) async fn find_actor(state: &AppState, id: i64) -> Result<Actor> {
    state.db.actor(id).await?.ok_or(Error::NotFound)
}

pub async fn actor_form(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let actor = find_actor(&state, id).await?;
    let form = actor_form_of(&state, &actor).await?;
    Ok(ActorFormPage::new(&state, actor, form, viewer.csrf)
        .await?
        .into_response())
}

/// The form's values for an actor as it is stored.
async fn actor_form_of(state: &AppState, actor: &Actor) -> Result<ActorForm> {
    let country = match actor.country_id {
        Some(country) => state.db.country_iso(country).await?.unwrap_or_default(),
        None => String::new(),
    };
    Ok(ActorForm {
        name: actor.name.clone(),
        kind: actor.kind.as_str().to_owned(),
        iso_code: actor.iso_code.clone().unwrap_or_default(),
        country,
        description: actor.description.clone(),
        aliases: state.db.aliases(actor.id).await?.join("\n"),
        edit_summary: String::new(),
        version: state.db.actor_version(actor.id).await?.unwrap_or(1).to_string(),
    })
}

pub async fn update_actor(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<ActorForm>,
) -> Result<Response> {
    let actor = find_actor(&state, id).await?;
    let version = super::form::form_version(&form.version)?;
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(("name", "Give the actor's name.".to_owned()));
    } else if let Some(message) = text::name_refusal("the name", name, text::MAX_NAME_CHARS) {
        errors.push(("name", message));
    }
    if let Some(message) = text::too_long("the description", form.description.trim(), text::MAX_TEXT_CHARS) {
        errors.push(("description", message));
    }
    let kind = ActorKind::parse(&form.kind);
    if kind.is_none() {
        errors.push(("kind", "Choose a kind from the list.".to_owned()));
    }
    let is_country = kind == Some(ActorKind::Country);
    let iso = form.iso_code.trim().to_uppercase();
    let iso_code = match (is_country, iso.as_str()) {
        (true, code) if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) => {
            errors.push((
                "iso_code",
                "A country needs its two-letter ISO code (IR, BY…).".to_owned(),
            ));
            None
        }
        (true, code) => {
            match state.db.country_by_iso(code).await? {
                Some(other) if other != id => errors.push((
                    "iso_code",
                    format!("Another country has the code {code} already (#{other})."),
                )),
                _ => {}
            }
            Some(code.to_owned())
        }
        (_, "") => None,
        (_, _) => {
            errors.push((
                "iso_code",
                "Only countries have an ISO code; leave it empty.".to_owned(),
            ));
            None
        }
    };
    let country_id = match (is_country, form.country.trim()) {
        (true, _) | (_, "") => None,
        (_, code) => {
            let found = state.db.country_by_iso(code).await?;
            if found.is_none() {
                errors.push(("country", format!("There is no country with the code “{code}”.")));
            }
            found
        }
    };
    let mut aliases: Vec<String> = Vec::new();
    for alias in form.aliases.lines().map(str::trim).filter(|a| !a.is_empty()) {
        if let Some(message) = text::name_refusal(&format!("the name “{alias}”"), alias, text::MAX_NAME_CHARS)
        {
            errors.push(("aliases", message));
        } else if !aliases.iter().any(|a| a == alias) {
            aliases.push(alias.to_owned());
        }
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        let mut page = ActorFormPage::new(&state, actor, form, viewer.csrf).await?;
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let fields = ActorFields {
        name: name.to_owned(),
        kind,
        iso_code,
        country_id,
        description: form.description.trim().to_owned(),
        aliases,
    };
    let saved = match state
        .db
        .update_actor(id, version, &fields, user.id, &form.edit_summary)
        .await
    {
        Ok(saved) => saved,
        // A rule checked again at the write (another country took the code, or the
        // country chosen was merged, meanwhile): the form comes back with the message
        // beside its field and the input kept.
        Err(refusal @ (Error::Invalid(_) | Error::Conflict(_))) => {
            let (field, message) = match refusal {
                Error::Invalid(message) => ("iso_code", message),
                Error::Conflict(message) => ("country", message),
                other => return Err(other),
            };
            let mut page = ActorFormPage::new(&state, actor, form, viewer.csrf).await?;
            page.errors = vec![(field, message)];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other),
    };
    match saved {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, actor = id, "actor saved");
            session::set_notice(&session, "Saved: every event naming this actor shows the change.").await?;
            Ok(Redirect::to(&crate::paths::actor_short(id)).into_response())
        }
        Saved::Conflict { .. } => {
            // Show what was saved meanwhile beside the editor's input, which stays in
            // the form, now on the newer version: saving again applies it.
            let current = find_actor(&state, id).await?;
            let saved = actor_form_of(&state, &current).await?;
            let mut form = form;
            let conflict = differences(&[
                ("Name", &saved.name, &form.name),
                ("Kind", &saved.kind, &form.kind),
                ("ISO code", &saved.iso_code, &form.iso_code),
                ("Country", &saved.country, &form.country),
                ("Other names", &saved.aliases, &form.aliases),
                ("Description", &saved.description, &form.description),
            ]);
            form.version = saved.version;
            let mut page = ActorFormPage::new(&state, current, form, viewer.csrf).await?;
            page.conflict = Some(conflict);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

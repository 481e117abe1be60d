//! Editors' pages for actors and sources, and admins' deletion of events: fix a name, an
//! alias or a source's details once, everywhere; merge two actors that are one; remove
//! an event for good after confirming. Every save is a revision; a stale form is
//! refused with the other change named.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::event_edit::{SelectOption, load};
use super::extract::{Form, PathParams, QueryParams};
use super::session::{self, Admin, CSRF_FIELD, Editor};
use crate::dates::EventDate;
use crate::domain::ActorKind;
use crate::error::{Error, Result};
use crate::store::actors::Actor;
use crate::store::editing::Saved;
use crate::store::record_edits::{ActorFields, SourceFields, SourceRecord};

/// A stale form: the record changed since it was loaded.
fn stale(what: &str) -> Error {
    Error::Conflict(format!(
        "Someone saved this {what} after you loaded the form. Nothing of yours was saved; go \
         back, reload the form to see their change, and make yours again."
    ))
}

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
                .countries()
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

async fn find_actor(state: &AppState, id: i64) -> Result<Actor> {
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

/// The fields two versions of a form disagree on: (label, saved now, yours).
fn differences(pairs: &[(&'static str, &str, &str)]) -> Vec<(&'static str, String, String)> {
    pairs
        .iter()
        .filter(|(_, saved, yours)| saved.trim() != yours.trim())
        .map(|(label, saved, yours)| (*label, (*saved).to_owned(), (*yours).to_owned()))
        .collect()
}

pub async fn update_actor(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<ActorForm>,
) -> Result<Response> {
    let actor = find_actor(&state, id).await?;
    let version = super::extract::form_version(&form.version)?;
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(("name", "Give the actor's name.".to_owned()));
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
        if alias.chars().count() > 200 {
            errors.push(("aliases", format!("“{alias}” is too long for a name.")));
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
        // A rule checked again at the write (another country took the code meanwhile):
        // the form comes back with the message and the input.
        Err(Error::Invalid(message)) => {
            let mut page = ActorFormPage::new(&state, actor, form, viewer.csrf).await?;
            page.errors = vec![("iso_code", message)];
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

/// The merge form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeForm {
    /// The actor this one is the same as: a name, an alias or `#id`.
    #[serde(default)]
    into: String,
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "actor_merge.html")]
pub struct MergePage {
    actor: Actor,
    into: String,
    version: i64,
    error: Option<String>,
    csrf: String,
    csrf_field: &'static str,
}

pub async fn merge_form(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let actor = find_actor(&state, id).await?;
    Ok(MergePage {
        version: state.db.actor_version(id).await?.unwrap_or(1),
        actor,
        into: String::new(),
        error: None,
        csrf: viewer.csrf,
        csrf_field: CSRF_FIELD,
    }
    .into_response())
}

pub async fn merge(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response> {
    let actor = find_actor(&state, id).await?;
    let version = super::extract::form_version(&form.version)?;
    let text = form.into.trim();
    let target = if text.is_empty() {
        Err("Name the actor this one is the same as.".to_owned())
    } else if let Some(number) = text.strip_prefix('#').and_then(|t| t.split_whitespace().next()) {
        match number.parse::<i64>() {
            Ok(other) if state.db.actor_ref(other).await?.is_some() => Ok(other),
            _ => Err(format!("There is no actor {text}.")),
        }
    } else {
        let found: Vec<_> = state
            .db
            .find_actors(text)
            .await?
            .into_iter()
            .filter(|a| a.id != id)
            .collect();
        match found.as_slice() {
            [one] => Ok(one.id),
            [] => Err(format!("No other actor is called “{text}”.")),
            many => Err(format!(
                "“{text}” matches several actors: {}. Type the number of the one you mean.",
                many.iter()
                    .take(8)
                    .map(|a| format!("{} (#{})", a.name, a.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    };
    let target = match (target, form.confirm.is_some()) {
        (Ok(target), true) if target != id => Ok(target),
        (Ok(_), true) => Err("An actor cannot be merged into itself.".to_owned()),
        (Ok(_), false) => Err("Tick the box to confirm the merge.".to_owned()),
        (Err(message), _) => Err(message),
    };
    let into = match target {
        Ok(into) => into,
        Err(message) => {
            let page = MergePage {
                actor,
                into: form.into.clone(),
                version,
                error: Some(message),
                csrf: viewer.csrf,
                csrf_field: CSRF_FIELD,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let into_version = state.db.actor_version(into).await?.ok_or(Error::NotFound)?;
    match state
        .db
        .merge_actors((id, version), (into, into_version), user.id)
        .await?
    {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, from = id, into, "actors merged");
            session::set_notice(
                &session,
                &format!(
                    "{} is merged into this actor: its names are aliases here, its events are this actor's, and its old links lead here.",
                    actor.name
                ),
            )
            .await?;
            Ok(Redirect::to(&crate::paths::actor_short(into)).into_response())
        }
        Saved::Conflict { .. } => Err(stale("actor")),
    }
}

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
    let source: SourceRecord = state.db.source(id).await?.ok_or(Error::NotFound)?;
    let form = source_form_of(source, query.next.as_deref().unwrap_or("/"));
    Ok(source_page(&state, id, form, viewer.csrf).await?.into_response())
}

/// The form's values for a source as it is stored.
fn source_form_of(source: SourceRecord, next: &str) -> SourceForm {
    SourceForm {
        outlet: source.outlet,
        title: source.title,
        url: source.url.unwrap_or_default(),
        published: source.published_edtf.unwrap_or_default(),
        author: source.author.unwrap_or_default(),
        notes: source.notes,
        edit_summary: String::new(),
        version: source.version.to_string(),
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
    state.db.source(id).await?.ok_or(Error::NotFound)?;
    let version = super::extract::form_version(&form.version)?;
    let mut form = form;
    form.next = session::local_path(&form.next);
    let mut errors = Vec::new();
    if form.outlet.trim().is_empty() {
        errors.push(("outlet", "Name the outlet.".to_owned()));
    }
    if form.title.trim().is_empty() {
        errors.push(("title", "Give the title of the article or document.".to_owned()));
    }
    let url = Some(form.url.trim()).filter(|u| !u.is_empty());
    if url.is_some() && super::view::web_link(url).is_none() {
        errors.push((
            "url",
            "The address must start with http:// or https://.".to_owned(),
        ));
    }
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
    let fields = SourceFields {
        outlet: form.outlet.trim().to_owned(),
        title: form.title.trim().to_owned(),
        url: url.map(str::to_owned),
        published,
        author: Some(form.author.trim().to_owned()).filter(|a| !a.is_empty()),
        notes: form.notes.trim().to_owned(),
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
            let current = state.db.source(id).await?.ok_or(Error::NotFound)?;
            let saved = source_form_of(current, &form.next);
            let mut form = form;
            let conflict = differences(&[
                ("Outlet", &saved.outlet, &form.outlet),
                ("Title", &saved.title, &form.title),
                ("Address", &saved.url, &form.url),
                ("Published", &saved.published, &form.published),
                ("Author", &saved.author, &form.author),
                ("About this source", &saved.notes, &form.notes),
            ]);
            form.version = saved.version;
            let mut page = source_page(&state, id, form, viewer.csrf).await?;
            page.conflict = Some(conflict);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "event_delete.html")]
pub struct DeletePage {
    id: i64,
    title: String,
    event_url: String,
    version: i64,
    error: Option<String>,
    csrf: String,
    csrf_field: &'static str,
}

/// The confirmation page of a deletion (admins only).
pub async fn delete_form(
    State(state): State<AppState>,
    Admin(_, viewer): Admin,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    Ok(DeletePage {
        id,
        title: detail.event.title.clone(),
        event_url: crate::paths::event(id, &detail.event.slug),
        version: detail.event.version,
        error: None,
        csrf: viewer.csrf,
        csrf_field: CSRF_FIELD,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    version: String,
}

/// Deletes an event for good, once confirmed with a reason.
pub async fn delete(
    State(state): State<AppState>,
    Admin(user, viewer): Admin,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    let version = super::extract::form_version(&form.version)?;
    let problem = if form.reason.trim().is_empty() {
        Some("Say why the event is deleted; the reason stays in its history.")
    } else if form.confirm.is_none() {
        Some("Tick the box to confirm that the event is to be deleted for good.")
    } else {
        None
    };
    if let Some(problem) = problem {
        let page = DeletePage {
            id,
            title: detail.event.title.clone(),
            event_url: crate::paths::event(id, &detail.event.slug),
            version,
            error: Some(problem.to_owned()),
            csrf: viewer.csrf,
            csrf_field: CSRF_FIELD,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match state.db.delete_event(id, version, user.id, &form.reason).await? {
        Saved::Saved { .. } => {
            tracing::info!(admin = %user.name, event = id, "event deleted");
            session::set_notice(
                &session,
                &format!(
                    "“{}” is deleted. Its history keeps its last state.",
                    detail.event.title
                ),
            )
            .await?;
            Ok(Redirect::to("/changes").into_response())
        }
        Saved::Conflict { .. } => Err(stale("event")),
    }
}

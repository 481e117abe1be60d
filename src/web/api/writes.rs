//! The write API: editors create and edit events and change their status with a personal
//! token (`Authorization: Bearer entente_…`), under the same rules as the forms. A
//! request is turned into the form's fields and checked by the form's own validation
//! (`event_check::validate`), so the API refuses what the form refuses, with the same
//! message for each field (422); an edit names the version it was based on in
//! `If-Match`, and a newer one is a 409 that gives both versions. Every write records a
//! revision by the token's owner with the request's `edit_summary`.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::edit::StatusChange;
use crate::domain::{Claim, Event, Rank};
use crate::error::{Error, Result};
use crate::store::editing::Saved;
use crate::store::users::User;
use crate::web::AppState;
use crate::web::event_check::validate;
use crate::web::event_form::{EventForm, claims_text};
use crate::web::extract::{FormFields, PathParams};

/// The editor a request's token belongs to.
pub struct ApiEditor(pub User);

impl FromRequestParts<AppState> for ApiEditor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ApiEditor> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::Unauthorized(
                    "Writing needs a personal API token: send `Authorization: Bearer <token>`. \
                     Editors make tokens on their account page."
                        .to_owned(),
                )
            })?;
        match state.db.user_for_token(token).await? {
            Some(user) => Ok(ApiEditor(user)),
            None => Err(Error::Unauthorized(
                "This token is not valid: it was revoked, mistyped, or its account is disabled.".to_owned(),
            )),
        }
    }
}

/// An event as a write request gives it: the form's fields, as JSON.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub title: String,
    /// The event type (`meeting`, `agreement`, …).
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(default)]
    pub agreement_kind: Option<String>,
    /// The date in EDTF.
    pub date: String,
    #[serde(default)]
    pub date_note: String,
    /// When it was announced, signed and entered into force, in EDTF, where sources say.
    #[serde(default)]
    pub announced: String,
    #[serde(default)]
    pub signed: String,
    #[serde(default)]
    pub in_force: String,
    #[serde(default)]
    pub place: String,
    /// Why the editors give the place when no cited passage does.
    #[serde(default)]
    pub place_inference: String,
    /// Why the date note is the editors' inference, when no cited passage supports it.
    #[serde(default)]
    pub date_note_inference: String,
    /// The country of the place: an ISO code (`IR`), a name, or `#id`.
    #[serde(default)]
    pub location_country: String,
    /// Markdown.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The editors' verification status, overriding the one the sources give (with a
    /// reason); none keeps the sources' status.
    #[serde(default)]
    pub verification: Option<crate::domain::Verification>,
    #[serde(default)]
    pub verification_reason: String,
    #[serde(default)]
    pub actors: Vec<ParticipantInput>,
    /// The sources relied on, in order. In an edit, a citation the event has and this
    /// list leaves out is removed.
    #[serde(default)]
    pub citations: Vec<CitationInput>,
    #[serde(default)]
    pub relations: Vec<RelationInput>,
    /// What changed and why: kept with the revision.
    #[serde(default)]
    pub edit_summary: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    /// A name or alias in any script, or `#id`.
    pub actor: String,
    pub role: String,
    #[serde(default)]
    pub title: String,
    /// To create the actor: `person`, `organization`, `facility` or `country`.
    #[serde(default)]
    pub kind: String,
    /// Why the editors name this participant when no cited passage does: readers see
    /// it as the editors' inference.
    #[serde(default)]
    pub inference: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationInput {
    /// In an edit: the citation of the event this updates (its source stays).
    #[serde(default)]
    pub citation_id: Option<i64>,
    /// A new citation's source: found by address or by outlet and title, else created.
    #[serde(default)]
    pub outlet: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub url: String,
    /// The source's publication date, in EDTF.
    #[serde(default)]
    pub published: String,
    pub passage: String,
    /// The source's own date for the event, in EDTF.
    #[serde(default)]
    pub claimed_date: String,
    /// How the editors hold that date against the other sources' dates.
    #[serde(default)]
    pub claimed_date_rank: Rank,
    /// Why the date has its rank.
    #[serde(default)]
    pub claimed_date_rank_reason: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub claims: Vec<Claim>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationInput {
    /// The other event's id.
    pub event_id: i64,
    pub relation: String,
    #[serde(default)]
    pub note: String,
    /// Why the editors relate the events when no cited passage does.
    #[serde(default)]
    pub inference: String,
}

impl EventInput {
    /// The fields the form would send; `removed` are the event's citations to delete.
    fn form_fields(&self, version: Option<i64>, removed: &[i64]) -> FormFields {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut put = |name: &str, value: &str| fields.push((name.to_owned(), value.to_owned()));
        put("rows", "0");
        for p in &self.actors {
            put("p_actor", &p.actor);
            put("p_role", &p.role);
            put("p_title", &p.title);
            put("p_kind", &p.kind);
            put("p_inference", &p.inference);
        }
        let rows = self
            .citations
            .iter()
            .map(|c| {
                (
                    c.citation_id.map(|id| id.to_string()).unwrap_or_default(),
                    c.outlet.as_str(),
                    c.title.as_str(),
                    c.url.as_str(),
                    c.published.as_str(),
                    c.passage.as_str(),
                    c.claimed_date.as_str(),
                    c.note.as_str(),
                    claims_text(&c.claims),
                    c.claimed_date_rank.as_str(),
                    c.claimed_date_rank_reason.as_str(),
                )
            })
            .chain(
                removed
                    .iter()
                    .map(|id| (id.to_string(), "", "", "", "", "", "", "", String::new(), "", "")),
            );
        for (citation, outlet, title, url, published, passage, claimed, note, claims, rank, reason) in rows {
            put("s_citation", &citation);
            put("s_outlet", outlet);
            put("s_title", title);
            put("s_url", url);
            put("s_published", published);
            put("s_passage", passage);
            put("s_claimed", claimed);
            put("s_note", note);
            put("s_claims", &claims);
            put("s_claimed_rank", rank);
            put("s_claimed_reason", reason);
        }
        for id in removed {
            put("s_remove", &id.to_string());
        }
        for r in &self.relations {
            put("r_event", &format!("#{}", r.event_id));
            put("r_relation", &r.relation);
            put("r_note", &r.note);
            put("r_inference", &r.inference);
        }
        put("title", &self.title);
        put("event_type", &self.event_type);
        put("agreement_kind", self.agreement_kind.as_deref().unwrap_or(""));
        put("date", &self.date);
        put("date_note", &self.date_note);
        put("announced", &self.announced);
        put("signed", &self.signed);
        put("in_force", &self.in_force);
        put("place", &self.place);
        put("place_inference", &self.place_inference);
        put("date_note_inference", &self.date_note_inference);
        put("location_country", &self.location_country);
        put("summary", &self.summary);
        put("tags", &self.tags.join(", "));
        put(
            "verification",
            self.verification.map(|v| v.as_str()).unwrap_or_default(),
        );
        put("verification_reason", &self.verification_reason);
        put("edit_summary", &self.edit_summary);
        if let Some(version) = version {
            put("version", &version.to_string());
        }
        FormFields(fields)
    }
}

/// An event as a write leaves it: its record (whatever its status) and version.
#[derive(Debug, Serialize, ToSchema)]
pub struct WrittenEvent {
    pub id: i64,
    pub version: i64,
    pub record: Event,
}

/// A write refused for its content: each field's message, as the form shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationError {
    pub error: ValidationErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationErrorBody {
    pub status: u16,
    pub message: String,
    pub fields: Vec<FieldMessage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldMessage {
    /// The form field at fault (`title`, `date`, `p_actor`, `s_passage`…).
    pub field: String,
    pub message: String,
}

/// A stale edit: the version it was based on and the event now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictError {
    pub error: super::ApiErrorBody,
    /// The version the request was based on (`If-Match`).
    pub sent_version: i64,
    pub current_version: i64,
    /// The event as it stands now.
    pub current: Event,
}

/// Checks the input with the form's rules: the fields, or the 422 answer.
async fn checked(
    state: &AppState,
    input: &EventInput,
    version: Option<i64>,
    removed: &[i64],
) -> Result<std::result::Result<crate::domain::edit::EventFields, Response>> {
    let sent = input.form_fields(version, removed);
    let mut form = EventForm::from_fields(&sent)?;
    match validate(state, &mut form, &sent).await? {
        Ok(fields) => Ok(Ok(fields)),
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let body = ValidationError {
                error: ValidationErrorBody {
                    status: status.as_u16(),
                    message: match errors.len() {
                        1 => "The event has 1 problem; nothing was saved.".to_owned(),
                        n => format!("The event has {n} problems; nothing was saved."),
                    },
                    fields: errors
                        .into_iter()
                        .map(|e| FieldMessage {
                            field: e.field,
                            message: e.message,
                        })
                        .collect(),
                },
            };
            Ok(Err((status, Json(body)).into_response()))
        }
    }
}

/// A JSON body, its rejection a 400 in the API's shape.
async fn body(request: axum::extract::Request) -> Result<EventInput> {
    use axum::extract::FromRequest;
    match Json::<EventInput>::from_request(request, &()).await {
        Ok(Json(input)) => Ok(input),
        Err(e) => Err(Error::BadRequest(format!(
            "The request body is not an event: {}",
            e.body_text()
        ))),
    }
}

async fn written(state: &AppState, id: i64) -> Result<WrittenEvent> {
    let (record, version) = state.db.event_record(id).await?.ok_or(Error::NotFound)?;
    Ok(WrittenEvent { id, version, record })
}

/// Creates a draft event.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "writes",
    request_body = EventInput,
    security(("token" = [])),
    responses(
        (status = 201, description = "The draft, as saved; `Location` is its API address", body = WrittenEvent),
        (status = 400, description = "The body is not an event", body = super::ApiError),
        (status = 401, description = "No token, or one not valid", body = super::ApiError),
        (status = 422, description = "The form's rules refuse it; each field says why", body = ValidationError),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiEditor(user): ApiEditor,
    request: axum::extract::Request,
) -> Result<Response> {
    let input = body(request).await?;
    let fields = match checked(&state, &input, None, &[]).await? {
        Ok(fields) => fields,
        Err(refused) => return Ok(refused),
    };
    let id = state
        .db
        .create_event(&fields, user.id, &input.edit_summary)
        .await?;
    tracing::info!(editor = %user.name, event = id, "event created through the API");
    let mut response = (StatusCode::CREATED, Json(written(&state, id).await?)).into_response();
    if let Ok(location) = crate::paths::api_event(id).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The version an edit is based on, from `If-Match` (`"3"` or `3`).
fn if_match(headers: &HeaderMap) -> Result<i64> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            Error::parameter(
                "If-Match",
                "An edit names the version it is based on: send `If-Match: \"<version>\"` with the \
                 event's `version`.",
            )
        })
}

/// Replaces an event's fields, participants, citations and relations.
#[utoipa::path(
    put,
    path = "/api/v1/events/{id}",
    tag = "writes",
    request_body = EventInput,
    security(("token" = [])),
    params(
        ("id" = i64, Path, description = "The event's id"),
        ("If-Match" = String, Header, description = "The version the edit is based on, as `\"3\"`"),
    ),
    responses(
        (status = 200, description = "The event, as saved", body = WrittenEvent),
        (status = 400, description = "No usable If-Match, or a body that is not an event", body = super::ApiError),
        (status = 401, description = "No token, or one not valid", body = super::ApiError),
        (status = 404, description = "No event has this id", body = super::ApiError),
        (status = 409, description = "Someone saved the event since that version; nothing was saved", body = ConflictError),
        (status = 422, description = "The form's rules refuse it; each field says why", body = ValidationError),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    ApiEditor(user): ApiEditor,
    PathParams(id): PathParams<i64>,
    request: axum::extract::Request,
) -> Result<Response> {
    let version = if_match(request.headers())?;
    let input = body(request).await?;
    let detail = state.db.event(id).await?.ok_or(Error::NotFound)?;
    let kept: Vec<i64> = input.citations.iter().filter_map(|c| c.citation_id).collect();
    let removed: Vec<i64> = detail
        .citations
        .iter()
        .map(|c| c.id)
        .filter(|id| !kept.contains(id))
        .collect();
    let fields = match checked(&state, &input, Some(version), &removed).await? {
        Ok(fields) => fields,
        Err(refused) => return Ok(refused),
    };
    match state
        .db
        .update_event(id, version, &fields, user.id, &input.edit_summary)
        .await?
    {
        Saved::Saved { .. } => Ok(Json(written(&state, id).await?).into_response()),
        Saved::Conflict { current_version } => conflict(&state, id, version, current_version).await,
    }
}

async fn conflict(state: &AppState, id: i64, sent: i64, current_version: i64) -> Result<Response> {
    let status = StatusCode::CONFLICT;
    let current = written(state, id).await?.record;
    let body = ConflictError {
        error: super::ApiErrorBody {
            status: status.as_u16(),
            message: format!(
                "The event was saved by someone else since version {sent}: it is at version \
                 {current_version} now. Nothing was saved; apply your change to the current \
                 version and send it with `If-Match: \"{current_version}\"`."
            ),
            parameter: Some("If-Match".to_owned()),
        },
        sent_version: sent,
        current_version,
        current,
    };
    Ok((status, Json(body)).into_response())
}

/// A status change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// `publish`, `unpublish`, `retract` or `restore`.
    pub action: String,
    /// Why, for a retraction (readers see it).
    #[serde(default)]
    pub reason: String,
    /// The version the change is based on.
    pub version: i64,
}

/// Publishes, unpublishes, retracts (with a reason) or restores an event.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/status",
    tag = "writes",
    request_body = StatusInput,
    security(("token" = [])),
    params(("id" = i64, Path, description = "The event's id")),
    responses(
        (status = 200, description = "The event, as saved", body = WrittenEvent),
        (status = 400, description = "Not a status change", body = super::ApiError),
        (status = 401, description = "No token, or one not valid", body = super::ApiError),
        (status = 404, description = "No event has this id", body = super::ApiError),
        (status = 409, description = "Someone saved the event since that version", body = ConflictError),
        (status = 422, description = "The change does not apply to the event's status, or a retraction has no reason", body = super::ApiError),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    ApiEditor(user): ApiEditor,
    PathParams(id): PathParams<i64>,
    request: axum::extract::Request,
) -> Result<Response> {
    use axum::extract::FromRequest;
    let Json(input) = Json::<StatusInput>::from_request(request, &())
        .await
        .map_err(|e| {
            Error::BadRequest(format!(
                "The request body is not a status change: {}",
                e.body_text()
            ))
        })?;
    let change = StatusChange::parse(input.action.trim()).ok_or_else(|| {
        Error::parameter(
            "action",
            format!(
                "“{}” is not a status change: use publish, unpublish, retract or restore.",
                input.action
            ),
        )
    })?;
    if change == StatusChange::Retract && input.reason.trim().is_empty() {
        return Err(Error::Invalid(
            "Say why the event is retracted: readers see the reason.".to_owned(),
        ));
    }
    state.db.event(id).await?.ok_or(Error::NotFound)?;
    match state
        .db
        .change_event_status(id, input.version, change, &input.reason, user.id)
        .await?
    {
        Saved::Saved { .. } => Ok(Json(written(&state, id).await?).into_response()),
        Saved::Conflict { current_version } => conflict(&state, id, input.version, current_version).await,
    }
}

//! The read API (`/api/v1`): published data as JSON, for notebooks, scripts and other
//! sites. It reads the same store and parses the same parameters as the pages, so an API
//! answer and the page of the same address list the same events in the same order; it
//! never shows what a reader of the pages could not see.
//!
//! Errors are the pages' errors ([`crate::error::Error`]) rendered as JSON
//! (`{"error": {"status", "message", "parameter"}}`) by [`json_errors`]. Answers pass
//! through the page cache like pages (an `ETag`, `304 Not Modified`, `Cache-Control:
//! no-cache`) and carry `Access-Control-Allow-Origin: *`: the data is public.
//!
//! The OpenAPI document (`/api/v1/openapi.json`) is generated from the handlers'
//! `#[utoipa::path]` attributes and the types they return, so it cannot describe
//! another API than the one served; a test checks real answers against it.

use std::sync::LazyLock;

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::{OpenApi, ToSchema};

use super::AppState;
use crate::dates::{EventDate, iso_day};
use crate::error::{Error, ErrorDetail};

/// Events: timeline views and single events.
mod events;
pub(in crate::web) use events::EventSummary;
/// The readable guide to the API, an HTML page built from the OpenAPI document.
pub mod guide;
/// Actors, sources, tags and outlets.
mod subjects;
/// Editors' writes with a personal token.
mod writes;

/// The API's routes, to be nested under [`crate::paths::API`], with the page cache.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/events", get(events::list).post(writes::create))
        .route("/events/{id}", get(events::item).put(writes::replace))
        .route("/events/{id}/status", axum::routing::post(writes::status))
        .route("/actors", get(subjects::actors))
        .route("/actors/{id}", get(subjects::actor))
        .route("/sources", get(subjects::sources))
        .route("/sources/{id}", get(subjects::source))
        .route("/tags", get(subjects::tags))
        .route("/tags/{name}", get(subjects::tag))
        .route("/outlets", get(subjects::outlets))
        .route("/outlets/{name}", get(subjects::outlet))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state,
            super::page_cache::serve,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}

/// The API's description, generated from the handlers below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "entente API",
        version = "1",
        description = "Published defense-cooperation events with their sources, the passages \
                       relied on, the claims sources make, and the precision of each date. \
                       Reading needs no account and no key. Every list takes the same \
                       parameters as the page of the same name; every answer carries an ETag \
                       and `Access-Control-Allow-Origin: *`. Editors write with a personal \
                       token, under the forms' rules.",
        license(name = "MIT")
    ),
    paths(
        events::list,
        events::item,
        subjects::actors,
        subjects::actor,
        subjects::sources,
        subjects::source,
        subjects::tags,
        subjects::tag,
        subjects::outlets,
        subjects::outlet,
        writes::create,
        writes::replace,
        writes::status,
    ),
    components(schemas(ApiError)),
    modifiers(&TokenScheme),
    tags(
        (name = "events", description = "Timeline views and single events"),
        (name = "records", description = "Actors, sources, tags and outlets"),
        (name = "writes", description = "Editors' writes, with a personal token"),
    )
)]
pub struct ApiDoc;

/// The write API's authentication in the document: a bearer token.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (`entente_…`), made on the editor's account page or \
                         with `entente token create`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document, built once.
pub static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// `/api/v1/openapi.json`.
async fn openapi_json() -> Response {
    Json(&*OPENAPI).into_response()
}

/// What every API error says.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong, in a sentence a person can act on.
    pub message: String,
    /// The query parameter at fault, when one is (`country`, `from`, `cursor`).
    pub parameter: Option<String>,
}

/// Renders an error page's detail as the API's JSON error, keeping its status.
async fn json_errors(response: Response) -> Response {
    let Some(detail) = response.extensions().get::<ErrorDetail>().cloned() else {
        return response;
    };
    let body = ApiError {
        error: ApiErrorBody {
            status: detail.status.as_u16(),
            message: detail.message,
            parameter: detail.parameter.map(str::to_owned),
        },
    };
    // The error's own headers stay (`WWW-Authenticate` of a 401); only the body changes.
    let (mut parts, _) = response.into_parts();
    let json = match serde_json::to_vec(&body) {
        Ok(json) => json,
        Err(_) => return (detail.status, Json(body)).into_response(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, axum::body::Body::from(json))
}

async fn not_found() -> Error {
    Error::NotFound
}

async fn method_not_allowed() -> Response {
    ErrorDetail::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "This address cannot be used that way: the API is read with GET; editors write \
         events with POST /api/v1/events, PUT /api/v1/events/{id} and POST \
         /api/v1/events/{id}/status."
            .to_owned(),
    )
    .into_page()
}

/// Absolute addresses for the answers and exports, on the origin readers reach entente
/// at.
pub(in crate::web) struct Links {
    pub origin: String,
}

impl Links {
    pub fn new(state: &AppState, headers: &HeaderMap) -> Links {
        Links {
            origin: super::event_cite::origin(state, headers),
        }
    }

    pub fn to(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The origin's host (and port), for identifiers such as a calendar entry's UID.
    pub fn host(&self) -> &str {
        let rest = self
            .origin
            .split_once("://")
            .map_or(self.origin.as_str(), |(_, rest)| rest);
        rest.split('/').next().unwrap_or(rest)
    }
}

/// A date as the pages show it and the days it can stand for.
#[derive(Debug, Serialize, ToSchema)]
pub struct DateInfo {
    /// The date as pages show it ("31 Jul 2023", "c. Jun 2023").
    pub display: String,
    /// The first day the date can stand for (`yyyy-mm-dd`).
    pub earliest: String,
    /// The last day the date can stand for (`yyyy-mm-dd`).
    pub latest: String,
    /// How precisely the date is known.
    #[schema(value_type = String, example = "day")]
    pub precision: &'static str,
    /// Whether the date is marked approximate (`~`) or uncertain (`?`).
    pub approximate: bool,
    pub uncertain: bool,
}

impl DateInfo {
    fn new(date: &EventDate) -> DateInfo {
        DateInfo {
            display: date.display(),
            earliest: iso_day(date.earliest()),
            latest: iso_day(date.latest()),
            precision: date.precision().as_str(),
            approximate: date.is_approximate(),
            uncertain: date.is_uncertain(),
        }
    }
}

/// A stored date, read; the store writes only dates that parse.
fn stored_date(edtf: &str) -> crate::error::Result<EventDate> {
    EventDate::parse(edtf).map_err(|e| Error::Internal(format!("stored date {edtf}: {e}")))
}

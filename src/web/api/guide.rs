//! `/api`: the API described for people, built from the same OpenAPI document the API
//! serves, so the page lists exactly the endpoints and parameters there are.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{RefOr, Required};

use crate::web::AppState;

/// One endpoint as the page shows it.
pub struct Endpoint {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<ParameterRow>,
    pub responses: Vec<(String, String)>,
    /// An address to try, where the path has no placeholder.
    pub example: Option<String>,
}

pub struct ParameterRow {
    pub name: String,
    pub place: &'static str,
    pub required: bool,
    pub description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_guide.html")]
pub struct GuidePage {
    endpoints: Vec<Endpoint>,
    openapi_url: String,
    /// The events of a small view, to try.
    example: String,
}

fn endpoint(method: &'static str, path: &str, operation: &Operation, origin: &str) -> Endpoint {
    let parameters = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(ParameterRow {
                name: p.name.clone(),
                place: match p.parameter_in {
                    ParameterIn::Path => "path",
                    ParameterIn::Query | ParameterIn::QueryString => "query",
                    ParameterIn::Header => "header",
                    ParameterIn::Cookie => "cookie",
                },
                required: matches!(p.required, Required::True),
                description: p.description.clone().unwrap_or_default(),
            }),
            RefOr::Ref(_) => None,
        })
        .collect();
    let responses = operation
        .responses
        .responses
        .iter()
        .map(|(status, response)| {
            let description = match response {
                RefOr::T(r) => r.description.clone(),
                RefOr::Ref(_) => String::new(),
            };
            (status.clone(), description)
        })
        .collect();
    Endpoint {
        method,
        path: path.to_owned(),
        summary: operation.summary.clone().unwrap_or_default(),
        description: operation.description.clone().unwrap_or_default(),
        parameters,
        responses,
        example: (method == "GET" && !path.contains('{')).then(|| format!("{origin}{path}")),
    }
}

/// `/api`.
pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> GuidePage {
    let origin = crate::web::event_cite::origin(&state, &headers);
    let endpoints = super::OPENAPI
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put)]
                .into_iter()
                .filter_map(|(method, operation)| {
                    operation
                        .as_ref()
                        .map(|operation| endpoint(method, path, operation, &origin))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    GuidePage {
        endpoints,
        openapi_url: crate::paths::api_openapi(),
        example: format!(
            "{origin}{}",
            crate::paths::api_events("country=BY&country=IR&type=agreement&include=facets")
        ),
    }
}

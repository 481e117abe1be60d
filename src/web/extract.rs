//! Extractors for the address (path parameters and query strings) and for submitted
//! forms. Axum's own rejections answer in plain text; these turn every malformed request
//! into entente's error page.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::domain::text;
use crate::error::Error;

/// Path parameters; an undecodable segment (invalid UTF-8, a wrong type) names nothing
/// that exists, so it is a 404 page.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(params)) => Ok(PathParams(params)),
            Err(_) => Err(Error::NotFound),
        }
    }
}

/// A query string; a malformed one is a 400 page that says what was wrong.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for QueryParams<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(params)) => Ok(QueryParams(params)),
            Err(e) => Err(Error::BadRequest(format!(
                "The address has a malformed query string: {}",
                e.body_text()
            ))),
        }
    }
}

/// A submitted form (`application/x-www-form-urlencoded`); a malformed one is a 400 page,
/// and one with a character entente does not store (a NUL, a direction override) in any
/// field is a 422 page naming the field.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequest<S> for Form<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, super::BODY_LIMIT_BYTES)
            .await
            .map_err(|_| Error::BadRequest("The form is larger than entente accepts.".to_owned()))?;
        let refused = form_urlencoded::parse(&bytes).find_map(|(key, value)| field_refusal(&key, &value));
        if let Some(message) = refused {
            return Err(Error::Invalid(message));
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(form)) => Ok(Form(form)),
            Err(e) => Err(Error::BadRequest(format!(
                "The form could not be read: {}",
                e.body_text()
            ))),
        }
    }
}

/// A submitted form as its fields in order, repeated names included (rows of a form
/// send one value per row under the same name). Invalid UTF-8 is replaced, not refused.
pub struct FormFields(pub Vec<(String, String)>);

/// The sentence refusing one submitted field, when its name or value holds a character
/// entente does not store.
fn field_refusal(key: &str, value: &str) -> Option<String> {
    let shown: String = key.chars().filter(|c| !c.is_control()).collect();
    let label = format!("the field “{shown}”");
    text::refusal(&label, key).or_else(|| text::refusal(&label, value))
}

impl FormFields {
    /// Each field holding a character entente does not store: (field name, message).
    pub fn refusals(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(key, value)| field_refusal(key, value).map(|message| (key.clone(), message)))
            .collect()
    }

    /// The first value of `name`, or "".
    pub fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    /// Whether `name` was sent at all (a pressed button, a ticked box).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = Error;

    async fn from_request(request: Request, _: &S) -> Result<Self, Error> {
        let is_form = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(Error::BadRequest("Expected a submitted form.".to_owned()));
        }
        let bytes = axum::body::to_bytes(request.into_body(), super::BODY_LIMIT_BYTES)
            .await
            .map_err(|_| Error::BadRequest("The form is larger than entente accepts.".to_owned()))?;
        Ok(FormFields(
            form_urlencoded::parse(&bytes)
                .map(|(key, value)| (key.into_owned(), value.into_owned()))
                .collect(),
        ))
    }
}

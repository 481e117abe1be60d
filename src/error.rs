//! The one error type of entente. Every handler returns [`Result<T>`] and uses `?`; this
//! module decides what a person sees: a clear page with the right status, never a raw
//! database message and never a panic.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// `Result` with entente's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while serving a request or loading data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist (or is not visible to this reader).
    #[error("not found")]
    NotFound,
    /// The thing existed and was withdrawn; the reason is shown to the reader.
    #[error("retracted: {0}")]
    Gone(String),
    /// The thing was deleted for good; the reason is shown to the reader.
    #[error("deleted: {0}")]
    Deleted(String),
    /// The request itself is wrong (a malformed parameter); the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// One parameter of the request is wrong: the message says how, and the API names
    /// the parameter (`country`, `from`, `cursor`).
    #[error("{message}")]
    Parameter { name: &'static str, message: String },
    /// Data offered for storage breaks a rule (an unknown actor key, an impossible date).
    #[error("{0}")]
    Invalid(String),
    /// A write through the API without a live token; the message says what to send.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The page is for editors and nobody is signed in; holds the path to come back to.
    #[error("sign-in required for {0}")]
    SignInRequired(String),
    /// The thing changed since the request's form was loaded; the message says what to do.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Signed in, but not allowed (an editor asking for an admin action), or a form
    /// without a valid CSRF token; the message says which.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The database's write lock could not be had in time: another process holds it (a
    /// backup, a second server in the middle of a long write).
    #[error("database busy: {0}")]
    Busy(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
    #[error("session error: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The HTTP status a person receives for this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Gone(_) | Error::Deleted(_) => StatusCode::GONE,
            Error::BadRequest(_) | Error::Parameter { .. } => StatusCode::BAD_REQUEST,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::SignInRequired(_) => StatusCode::SEE_OTHER,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Database(_)
            | Error::Migrate(_)
            | Error::Template(_)
            | Error::Session(_)
            | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A wrong parameter, named.
    pub fn parameter(name: &'static str, message: impl Into<String>) -> Error {
        Error::Parameter {
            name,
            message: message.into(),
        }
    }

    /// What the page says: specific for the reader's own mistakes, plain for ours.
    fn public_message(&self) -> String {
        match self {
            Error::NotFound => "There is nothing at this address. The link may be mistyped, \
                                or the entry may not be published."
                .to_owned(),
            Error::Gone(reason) => format!("This entry was retracted. Reason given: {reason}"),
            Error::Deleted(reason) => format!("This entry was deleted. Reason given: {reason}"),
            Error::BadRequest(message)
            | Error::Unauthorized(message)
            | Error::Parameter { message, .. }
            | Error::Invalid(message)
            | Error::Forbidden(message)
            | Error::Conflict(message) => message.clone(),
            Error::SignInRequired(_) => "This page is for editors. Please sign in.".to_owned(),
            Error::Busy(_) => "The database is busy with another program's work, so nothing was \
                               saved. Please try again in a moment."
                .to_owned(),
            _ => "Something went wrong on our side. The error has been logged; please try \
                  again in a moment."
                .to_owned(),
        }
    }
}

/// A database error, told apart: a lock that could not be had in time (SQLITE_BUSY or
/// SQLITE_LOCKED, with their extended codes) or a connection that did not come free in
/// time is [`Error::Busy`], a 503 the person can retry; anything else is a 500.
impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Error {
        if let sqlx::Error::PoolTimedOut = &error {
            return Error::Busy("no database connection came free in time".to_owned());
        }
        if let sqlx::Error::Database(db) = &error {
            let primary = db.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
            if matches!(primary, Some(5 | 6)) {
                return Error::Busy(db.message().to_owned());
            }
        }
        Error::Database(error)
    }
}

/// Turns a database constraint that a concurrent change can break (a name taken between
/// the check and the insert, a row merged away meanwhile) into an error the person can
/// act on, instead of a 500.
pub trait OnConstraint<T> {
    /// A UNIQUE violation on `column` (`"users.name"`) becomes [`Error::Invalid`].
    fn on_unique(self, column: &str, message: impl FnOnce() -> String) -> Result<T>;
    /// A FOREIGN KEY violation becomes [`Error::Conflict`]: what the request referred to
    /// was removed or merged meanwhile.
    fn on_foreign_key(self, message: impl FnOnce() -> String) -> Result<T>;
}

impl<T> OnConstraint<T> for Result<T> {
    fn on_unique(self, column: &str, message: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|error| match &error {
            Error::Database(sqlx::Error::Database(db))
                if db.is_unique_violation() && db.message().contains(column) =>
            {
                Error::Invalid(message())
            }
            _ => error,
        })
    }

    fn on_foreign_key(self, message: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|error| match &error {
            Error::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                Error::Conflict(message())
            }
            _ => error,
        })
    }
}

/// The page shown for every error.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub heading: String,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: StatusCode, message: String) -> Self {
        ErrorPage {
            status: status.as_u16(),
            heading: status.canonical_reason().unwrap_or("Error").to_owned(),
            message,
        }
    }
}

/// What an error response says, kept on the response (as an extension) beside its HTML
/// page, so that the API can answer the same error as JSON (see `web::api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub status: StatusCode,
    pub message: String,
    /// The request parameter at fault, when one is.
    pub parameter: Option<&'static str>,
}

impl ErrorDetail {
    pub fn new(status: StatusCode, message: String) -> ErrorDetail {
        ErrorDetail {
            status,
            message,
            parameter: None,
        }
    }

    /// The HTML error page for this error, carrying the detail.
    pub fn into_page(self) -> Response {
        let mut response = (self.status, ErrorPage::new(self.status, self.message.clone())).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::SignInRequired(next) = &self {
            return Redirect::to(&crate::paths::login(next)).into_response();
        }
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let parameter = match &self {
            Error::Parameter { name, .. } => Some(*name),
            _ => None,
        };
        let mut response = ErrorDetail {
            status,
            message: self.public_message(),
            parameter,
        }
        .into_page();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"entente\""),
            );
        }
        response
    }
}

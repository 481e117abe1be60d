//! Signing in and out. The form posts the account name and password; failures are
//! counted per name typed and per address, and the throttle in `crate::auth` slows and
//! then locks repeated failures. No message says whether an account exists.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::extract::{Form, QueryParams};
use super::session::{self, CSRF_FIELD, ClientAddress, Viewer};
use crate::auth::{self, THROTTLE_WINDOW_SECS, Throttle};
use crate::error::Result;
use crate::store::fold;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    csrf: String,
    csrf_field: &'static str,
    next: String,
    name: String,
    error: Option<String>,
    /// A form kept from a session that ended, sent again once signed in (see
    /// [`super::kept_form`]): where it goes, its fields, and the server's signature of
    /// both (so that nobody can plant a form to be sent in an editor's name).
    resume_to: String,
    resume_body: String,
    resume_sig: String,
}

#[derive(Debug, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// The sign-in form; a signed-in editor goes straight on. Nothing is stored for the
/// visitor: the form's token is signed and travels in a cookie beside it.
pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    QueryParams(params): QueryParams<NextParam>,
) -> Result<Response> {
    let next = session::local_path(params.next.as_deref().unwrap_or("/"));
    if viewer.is_editor() {
        return Ok(Redirect::to(&next).into_response());
    }
    let page = LoginPage {
        csrf: String::new(),
        csrf_field: CSRF_FIELD,
        next,
        name: String::new(),
        error: None,
        resume_to: String::new(),
        resume_body: String::new(),
        resume_sig: String::new(),
    };
    with_token(&state, StatusCode::OK, page)
}

/// The sign-in page with a new signed token in its form and its cookie; no cache may
/// keep it for anyone else.
fn with_token(state: &AppState, status: StatusCode, mut page: LoginPage) -> Result<Response> {
    let (cookie, token) = state.signing_key.double_submit_token(session::unix_now())?;
    page.csrf = token;
    let headers = [
        (
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        ),
        (header::SET_COOKIE, session::signin_cookie(state, Some(&cookie))),
    ];
    Ok((status, headers, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    resume_to: String,
    #[serde(default)]
    resume_body: String,
    #[serde(default)]
    resume_sig: String,
}

/// Checks a sign-in: throttled first, then the password; success starts a new session
/// and returns to the page the editor came from.
pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let next = session::local_path(&form.next);
    let account = fold(&form.name);
    let now = session::unix_now();
    // A kept form rides along only with the server's own signature of it.
    let resume =
        super::kept_form::Resume::verified(&state, &form.resume_to, &form.resume_body, &form.resume_sig);
    let again = |status: StatusCode, error: String| {
        let page = LoginPage {
            csrf: String::new(),
            csrf_field: CSRF_FIELD,
            next: next.clone(),
            name: form.name.clone(),
            error: Some(error),
            resume_to: resume.as_ref().map(|r| r.to.clone()).unwrap_or_default(),
            resume_body: resume.as_ref().map(|r| r.body.clone()).unwrap_or_default(),
            resume_sig: resume.as_ref().map(|r| r.sig.clone()).unwrap_or_default(),
        };
        with_token(&state, status, page)
    };
    // Names longer than any account's are refused before the throttle stores anything.
    if form.name.chars().count() > crate::store::users::MAX_ACCOUNT_NAME_CHARS {
        return again(
            StatusCode::UNAUTHORIZED,
            "That name and password do not match an active account.".to_owned(),
        );
    }

    // Counted and recorded (as a failure until it succeeds) before the password is
    // checked, so that attempts sent at the same time cannot slip past the throttle.
    let (failures, allowed) = state
        .db
        .begin_login_attempt(&account, &address, now, now - THROTTLE_WINDOW_SECS, |counts| {
            auth::throttle(counts, now) == Throttle::Allow
        })
        .await?;
    if !allowed {
        let seconds = match auth::throttle(failures, now) {
            Throttle::Wait(seconds) => seconds,
            Throttle::Allow => 1,
        };
        let message = format!(
            "Too many failed sign-ins. Please wait {} before trying again.",
            wait_text(seconds)
        );
        return again(StatusCode::TOO_MANY_REQUESTS, message);
    }
    let found = state.db.credentials(&form.name).await?;
    let hash = found.as_ref().map(|(_, hash)| hash.clone());
    let matches = auth::verify_password_queued(form.password.clone(), hash).await?;
    match found {
        Some((user, _)) if matches && !user.is_disabled() => {
            state.db.record_login_success(&account, &address, now).await?;
            session::sign_in(&session, &user).await?;
            tracing::info!(user = %user.name, "signed in");
            // The sign-in token has served: the session's own token takes over.
            let cleared = [(header::SET_COOKIE, session::signin_cookie(&state, None))];
            if let Some(resume) = &resume {
                let token = session::session_token(&session).await?;
                let kept = super::kept_form::resume(token, resume);
                return Ok((cleared, kept).into_response());
            }
            Ok((cleared, Redirect::to(&next)).into_response())
        }
        _ => {
            let message = "That name and password do not match an active account.".to_owned();
            again(StatusCode::UNAUTHORIZED, message)
        }
    }
}

/// Signs out and returns to the timeline.
pub async fn logout(session: Session) -> Result<Response> {
    session::sign_out(&session).await?;
    Ok(Redirect::to(crate::paths::home()).into_response())
}

fn wait_text(seconds: i64) -> String {
    if seconds < 90 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", (seconds + 59) / 60)
    }
}

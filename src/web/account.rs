//! The signed-in editor's account page: personal API tokens, made (the token shown once)
//! and revoked.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::extract::{Form, PathParams};
use super::session::{self, Editor};
use crate::error::{Error, Result};
use crate::store::tokens::TokenListing;

/// The session key of a token just made, shown on the next page and then forgotten.
const NEW_TOKEN: &str = "new_api_token";

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    tokens: Vec<TokenListing>,
    /// A token made by the last request: shown this once.
    new_token: Option<String>,
    csrf: String,
}

/// `/account`.
pub async fn show(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
) -> Result<Response> {
    let new_token: Option<String> = session.remove(NEW_TOKEN).await?;
    let tokens = state.db.tokens(Some(user.id)).await?;
    let mut response = AccountPage {
        tokens,
        new_token,
        csrf: viewer.csrf,
    }
    .into_response();
    // The page may hold a token: no cache may keep it.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct NewToken {
    #[serde(default)]
    name: String,
}

/// Makes a token and shows it once on the account page.
pub async fn create(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    Form(form): Form<NewToken>,
) -> Result<Response> {
    let (id, token) = state.db.create_token(user.id, &form.name).await?;
    tracing::info!(editor = %user.name, token = id, "API token made");
    session.insert(NEW_TOKEN, token).await?;
    Ok(Redirect::to(crate::paths::own_account()).into_response())
}

/// Revokes one of the editor's tokens.
pub async fn revoke(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    if !state.db.revoke_token(id, Some(user.id)).await? {
        return Err(Error::NotFound);
    }
    tracing::info!(editor = %user.name, token = id, "API token revoked");
    session::set_notice(
        &session,
        "Token revoked: requests with it are refused from now on.",
    )
    .await?;
    Ok(Redirect::to(crate::paths::own_account()).into_response())
}

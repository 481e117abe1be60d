//! Account management for admins: every account with its role and state, a form to add
//! one, and buttons to disable or re-enable. (`entente user …` does the same from a
//! shell, and resets passwords.)

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::extract::{Form, PathParams};
use super::session::{Admin, CSRF_FIELD, Viewer};
use crate::auth::{self, Role};
use crate::error::{Error, Result};
use crate::store::users::User;

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    users: Vec<User>,
    me: i64,
    csrf: String,
    csrf_field: &'static str,
    form: NewUser,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewUser {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn page(
    state: &AppState,
    me: &User,
    viewer: Viewer,
    form: NewUser,
    error: Option<String>,
    notice: Option<String>,
) -> Result<UsersPage> {
    Ok(UsersPage {
        users: state.db.users().await?,
        me: me.id,
        csrf: viewer.csrf,
        csrf_field: CSRF_FIELD,
        form,
        error,
        notice,
    })
}

pub async fn index(State(state): State<AppState>, Admin(me, viewer): Admin) -> Result<Response> {
    let form = NewUser {
        role: "editor".to_owned(),
        ..NewUser::default()
    };
    Ok(page(&state, &me, viewer, form, None, None).await?.into_response())
}

/// Adds an account; a refused one shows the form again with the input kept (but not the
/// password).
pub async fn create(
    State(state): State<AppState>,
    Admin(me, viewer): Admin,
    Form(mut form): Form<NewUser>,
) -> Result<Response> {
    let outcome = match Role::parse(&form.role) {
        None => Err(Error::Invalid(format!(
            "“{}” is not a role: choose editor or admin.",
            form.role
        ))),
        Some(role) => add_user(&state, &form.name, role, std::mem::take(&mut form.password)).await,
    };
    match outcome {
        Ok(user) => {
            tracing::info!(admin = %me.name, user = %user.name, role = %user.role, "account added");
            let notice = format!("Added {} ({}).", user.name, user.role);
            let form = NewUser {
                role: "editor".to_owned(),
                ..NewUser::default()
            };
            let page = page(&state, &me, viewer, form, None, Some(notice)).await?;
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(Error::Invalid(message)) => {
            let page = page(&state, &me, viewer, form, Some(message), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Checks the password rules, hashes it off the request threads and stores the account.
pub async fn add_user(state: &AppState, name: &str, role: Role, password: String) -> Result<User> {
    if name.trim().is_empty() {
        return Err(Error::Invalid("An account needs a name.".to_owned()));
    }
    auth::check_password_rules(&password)?;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))??;
    state.db.create_user(name, role, &hash).await
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// Gives another account another role (an admin cannot demote themself, so that there is
/// always someone to manage accounts).
pub async fn set_role(
    State(state): State<AppState>,
    Admin(me, _): Admin,
    PathParams(id): PathParams<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response> {
    if id == me.id {
        return Err(Error::Invalid(
            "You cannot change your own role: ask another admin.".to_owned(),
        ));
    }
    let role = Role::parse(&form.role)
        .ok_or_else(|| Error::Invalid(format!("“{}” is not a role: choose editor or admin.", form.role)))?;
    state.db.set_user_role(id, role).await?;
    tracing::info!(admin = %me.name, user = id, role = role.as_str(), "role changed");
    Ok(Redirect::to(crate::paths::accounts()).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// Sets a new password for an account and ends its sessions.
pub async fn set_password(
    State(state): State<AppState>,
    Admin(me, _): Admin,
    PathParams(id): PathParams<i64>,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    state.db.user(id).await?.ok_or(Error::NotFound)?;
    auth::check_password_rules(&form.password)?;
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))??;
    state.db.set_password_hash(id, &hash).await?;
    tracing::info!(admin = %me.name, user = id, "password reset");
    Ok(Redirect::to(crate::paths::accounts()).into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    Admin(me, _): Admin,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    if id == me.id {
        return Err(Error::Invalid(
            "You cannot disable your own account: ask another admin.".to_owned(),
        ));
    }
    state.db.set_user_disabled(id, true).await?;
    tracing::info!(admin = %me.name, user = id, "account disabled");
    Ok(Redirect::to(crate::paths::accounts()).into_response())
}

pub async fn enable(
    State(state): State<AppState>,
    Admin(me, _): Admin,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    state.db.set_user_disabled(id, false).await?;
    tracing::info!(admin = %me.name, user = id, "account enabled");
    Ok(Redirect::to(crate::paths::accounts()).into_response())
}

/// Forgets an account's failed sign-ins from every address, so that the throttle no
/// longer holds it back (the same as `entente user unlock`).
pub async fn unlock(
    State(state): State<AppState>,
    Admin(me, _): Admin,
    session: tower_sessions::Session,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let user = state.db.user(id).await?.ok_or(Error::NotFound)?;
    let cleared = state
        .db
        .clear_login_failures(&crate::store::fold(&user.name))
        .await?;
    tracing::info!(admin = %me.name, user = id, cleared, "failed sign-ins forgotten");
    let notice = format!("{cleared} failed sign-in(s) for {} forgotten.", user.name);
    super::session::set_notice(&session, &notice).await?;
    Ok(Redirect::to(crate::paths::accounts()).into_response())
}

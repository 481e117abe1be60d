//! Who is asking, and whether a state-changing request may proceed.
//!
//! Sessions live in the database (`tower-sessions` with its SQLite store); the cookie
//! holds only the session id and is HttpOnly, SameSite=Lax, and Secure unless the server
//! is told it runs on plain HTTP. A signed-in session holds the account id, the
//! account's session epoch (raised by a password reset or a disable, which ends every
//! session of the account) and a CSRF token.
//!
//! [`guard`] runs for every request: it resolves the [`Viewer`], makes it available to
//! handlers (as a request extension) and to the base template (for the length of the
//! request), and refuses any POST whose CSRF token does not match the session's, before
//! a handler sees it.

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use super::{AppState, BODY_LIMIT_BYTES};
use crate::auth::{self, Role};
use crate::error::{Error, Result};
use crate::store::users::User;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "entente_session";
/// Name of the cookie that carries the signed token of the sign-in form, which
/// anonymous visitors send without any stored session.
pub const SIGNIN_COOKIE: &str = "entente_signin";
/// Name of the hidden form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
/// A session ends after this long without a request.
pub const IDLE_HOURS: i64 = 12;

/// How often a signed-in editor's requests push the session's expiry back. Saving the
/// session on every request was a write transaction per page, which held the editors'
/// timeline to about 300 requests/s; a session now ends between `IDLE_HOURS` and
/// `IDLE_HOURS` less five minutes after its last request.
const RENEW_EVERY_SECONDS: i64 = 300;

const AUTH_KEY: &str = "auth";
/// When the session was last saved to push its expiry back (unix seconds).
const RENEWED_KEY: &str = "renewed";
const NOTICE_KEY: &str = "notice";
const CSRF_KEY: &str = "csrf";

/// The session layer: sessions stored in the application's database.
pub fn layer(store: SqliteStore, secure: bool) -> SessionManagerLayer<SqliteStore> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(IDLE_HOURS),
        ))
        // A session is saved when it changes, and a signed-in editor's requests change
        // it every few minutes to push the expiry back (see `resolve`).
        .with_always_save(false)
}

/// Whether a session last renewed at `renewed` (unix seconds; None: never) is due to be
/// saved again at `now` (see [`RENEW_EVERY_SECONDS`]); a clock gone back renews too.
fn due_for_renewal(renewed: Option<i64>, now: i64) -> bool {
    renewed.is_none_or(|at| now - at >= RENEW_EVERY_SECONDS || now < at)
}

/// What a signed-in session remembers.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignedIn {
    user_id: i64,
    epoch: i64,
}

/// The person behind a request: an editor or admin, or an anonymous reader.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub user: Option<User>,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    /// A message left by the editor's last action ("Saved."), shown once on the next
    /// page (the base template shows it).
    pub notice: Option<String>,
}

impl Viewer {
    pub fn is_editor(&self) -> bool {
        self.user.is_some()
    }

    pub fn name(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.name.as_str())
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(User::role)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }
}

tokio::task_local! {
    static CURRENT: Viewer;
}

/// The viewer of the request being rendered; templates call this (the base template's
/// navigation shows who is signed in). Outside a request it is an anonymous reader.
pub fn current() -> Viewer {
    CURRENT.try_with(Viewer::clone).unwrap_or_default()
}

/// Resolves the viewer, checks CSRF on state-changing requests, and runs the request.
/// A form that fails through no fault of its content (the editor's session ended, the
/// database was busy) comes back whole on a page that sends it again (see
/// [`super::kept_form`]).
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (request, kept) = match super::kept_form::keep(request).await {
        Ok(kept) => kept,
        Err(e) => return e.into_response(),
    };
    let session_handle = request.extensions().get::<Session>().cloned();
    match prepare(&state, request).await {
        Ok((viewer, request)) => {
            let signed_in = viewer.is_editor();
            let session = request.extensions().get::<Session>().cloned();
            let notice = viewer.notice.clone();
            let mut response = CURRENT.scope(viewer.clone(), next.run(request)).await;
            if let Some(kept) = kept
                && response.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE
            {
                return super::kept_form::busy(&state, &viewer, kept);
            }
            // A redirect shows no page: the notice waits for the page it leads to.
            if let (Some(notice), Some(session)) = (notice, session)
                && response.status().is_redirection()
                && let Err(e) = set_notice(&session, &notice).await
            {
                tracing::warn!("cannot keep a notice across a redirect: {e}");
            }
            let stricter = response
                .headers()
                .get(header::CACHE_CONTROL)
                .is_some_and(|v| v.as_bytes().windows(8).any(|w| w == b"no-store"));
            if signed_in && !stricter {
                // An editor's pages show drafts and forms: never stored by anyone else
                // (a page that says `no-store`, holding a secret, keeps saying it).
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-cache"),
                );
            }
            response
        }
        // A form from one of entente's pages whose token no longer matches: the session
        // ended (signed out elsewhere, expired, ended by an admin) or was renewed.
        Err(Refused::Token(viewer, from_here)) => match kept {
            // "Sign out" from a page older than the session still signs out.
            Some(kept) if from_here && kept.is_sign_out() => {
                if let Some(session) = session_handle
                    && let Err(e) = sign_out(&session).await
                {
                    return e.into_response();
                }
                axum::response::Redirect::to(crate::paths::home()).into_response()
            }
            Some(kept) if from_here => super::kept_form::token_refused(&state, &viewer, kept),
            _ => csrf_refused().into_response(),
        },
        Err(Refused::Error(e)) => e.into_response(),
    }
}

/// Why a request was not let through.
enum Refused {
    /// Its token did not match: the viewer it came from, and whether the browser said it
    /// came from one of entente's own pages (only then is the form given back, so that
    /// a forged request never becomes a page with a valid token in it).
    Token(Viewer, bool),
    Error(Error),
}

impl From<Error> for Refused {
    fn from(error: Error) -> Refused {
        Refused::Error(error)
    }
}

async fn prepare(state: &AppState, mut request: Request) -> Result<(Viewer, Request), Refused> {
    let has_cookie = has_session_cookie(request.headers());
    let session = request.extensions().get::<Session>().cloned();
    // The page after a redirect shows the notice; assets never take it.
    let shows_page = request.method() == Method::GET && !request.uri().path().starts_with("/static/");
    let viewer = match (&session, has_cookie) {
        (Some(session), true) => resolve(state, session, shows_page).await?,
        _ => Viewer::default(),
    };
    if !is_safe(request.method()) {
        let from_here = from_this_site(request.headers());
        request = match check_csrf(state, request, &viewer).await? {
            Some(request) => request,
            None => return Err(Refused::Token(viewer, from_here)),
        };
    }
    request.extensions_mut().insert(viewer.clone());
    Ok((viewer, request))
}

/// The viewer a session stands for; a session whose account was disabled or whose
/// password was reset since it signed in is treated as signed out.
async fn resolve(state: &AppState, session: &Session, shows_page: bool) -> Result<Viewer> {
    let csrf = session.get::<String>(CSRF_KEY).await?.unwrap_or_default();
    let Some(signed_in) = session.get::<SignedIn>(AUTH_KEY).await? else {
        return Ok(Viewer {
            user: None,
            csrf,
            notice: None,
        });
    };
    let user = state
        .db
        .user(signed_in.user_id)
        .await?
        .filter(|user| !user.is_disabled() && user.session_epoch == signed_in.epoch);
    if user.is_none() {
        // The session ended (password reset, account disabled): nothing of it is worth
        // keeping, its token included, so the visitor starts again as anyone does.
        session.flush().await?;
        return Ok(Viewer::default());
    }
    let now = unix_now();
    if due_for_renewal(session.get::<i64>(RENEWED_KEY).await?, now) {
        session.insert(RENEWED_KEY, now).await?;
    }
    let notice = match (&user, shows_page) {
        (Some(_), true) => take_notice(session).await?,
        _ => None,
    };
    Ok(Viewer { user, csrf, notice })
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A state-changing request must come from one of entente's own pages: the browser's
/// `Sec-Fetch-Site` (when sent) must not say another site, and the form must carry the
/// session's CSRF token (or the request the `X-CSRF-Token` header). Without a session
/// (the sign-in form), the token must match the signed cookie the form came with. A token
/// that does not match is `None` (the caller may give the form back); a request from
/// another site, or that is no form at all, is refused outright.
async fn check_csrf(state: &AppState, request: Request, viewer: &Viewer) -> Result<Option<Request>> {
    // Only entente's own pages may change anything: a browser that says the request
    // comes from another site, or from a sibling subdomain, is refused outright.
    let elsewhere = request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| matches!(v.as_bytes(), b"cross-site" | b"same-site"));
    if elsewhere {
        return Err(csrf_refused());
    }
    let signin_cookie = request_cookie(request.headers(), SIGNIN_COOKIE);
    // A signed-in editor's forms carry the session's token; anyone else's (the sign-in
    // form) the signed one of the cookie it came with.
    let accepted = |token: &str| match (viewer.is_editor(), &signin_cookie) {
        (true, _) => auth::tokens_match(&viewer.csrf, token),
        (false, Some(cookie)) => state.signing_key.double_submit_matches(cookie, token, unix_now()),
        (false, None) => false,
    };
    if let Some(token) = request.headers().get("x-csrf-token") {
        return if accepted(token.to_str().unwrap_or("")) {
            Ok(Some(request))
        } else {
            Err(csrf_refused())
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(csrf_refused());
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT_BYTES)
        .await
        .map_err(|_| Error::BadRequest("The form is larger than entente accepts.".to_owned()))?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == CSRF_FIELD)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if !accepted(&token) {
        return Ok(None);
    }
    Ok(Some(Request::from_parts(parts, Body::from(bytes))))
}

/// Seconds since the Unix epoch, for the expiry of signed tokens.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Whether the browser says a request comes from one of entente's own pages:
/// `Sec-Fetch-Site: same-origin`, or an `Origin` whose host is the request's `Host`.
/// Without either (an old browser, a script) it is not taken to.
fn from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        _ => false,
    }
}

/// Whether a request carries entente's session cookie (other cookies do not make a
/// reader an editor, and do not cost them the page cache).
pub fn has_session_cookie(headers: &axum::http::HeaderMap) -> bool {
    request_cookie(headers, COOKIE_NAME).is_some()
}

/// The value of the cookie `name` a request carries.
pub fn request_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The `Set-Cookie` value that gives a visitor the sign-in form's signed token (or, with
/// `None`, removes it after sign-in). It goes only to the sign-in address, for two hours.
pub fn signin_cookie(state: &AppState, value: Option<&str>) -> HeaderValue {
    let cookie = tower_sessions::cookie::Cookie::build((SIGNIN_COOKIE, value.unwrap_or("").to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .path(crate::paths::login_form())
        .max_age(tower_sessions::cookie::time::Duration::hours(
            if value.is_some() { 2 } else { 0 },
        ))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(super) fn csrf_refused() -> Error {
    Error::Forbidden(
        "This form could not be accepted: it has expired or did not come from one of \
         entente's pages. Nothing was changed. Reload the page and submit it again."
            .to_owned(),
    )
}

/// Starts a signed-in session for `user`: a new session id (so that an id planted
/// before sign-in is worthless) and a new CSRF token.
pub async fn sign_in(session: &Session, user: &User) -> Result<()> {
    session.cycle_id().await?;
    session
        .insert(
            AUTH_KEY,
            SignedIn {
                user_id: user.id,
                epoch: user.session_epoch,
            },
        )
        .await?;
    session.insert(CSRF_KEY, auth::new_csrf_token()?).await?;
    session.insert(RENEWED_KEY, unix_now()).await?;
    Ok(())
}

/// The session's CSRF token (set at sign-in).
pub async fn session_token(session: &Session) -> Result<String> {
    Ok(session.get::<String>(CSRF_KEY).await?.unwrap_or_default())
}

/// Ends the session: deleted from the store, cookie removed.
pub async fn sign_out(session: &Session) -> Result<()> {
    session.flush().await?;
    Ok(())
}

/// A message for the next page the editor sees ("Saved."), shown once.
pub async fn set_notice(session: &Session, notice: &str) -> Result<()> {
    session.insert(NOTICE_KEY, notice).await?;
    Ok(())
}

/// The message left for this page, if any; it is shown only once.
pub async fn take_notice(session: &Session) -> Result<Option<String>> {
    // Removing marks the session changed (to be saved) even when nothing was there.
    if session.get::<String>(NOTICE_KEY).await?.is_none() {
        return Ok(None);
    }
    Ok(session.remove::<String>(NOTICE_KEY).await?)
}

/// A handler argument: the client's address, for the login throttle. It is the socket's
/// peer, unless that peer is a configured trusted proxy: then the nearest address in
/// `X-Forwarded-For` that is not a trusted proxy itself (read from the right, since a
/// client can write anything on the left).
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip().to_canonical());
        let Some(peer) = peer else {
            return Ok(ClientAddress("unknown".to_owned()));
        };
        let trusted = |ip: &std::net::IpAddr| state.trusted_proxies.contains(ip);
        let mut client = peer;
        if trusted(&peer) {
            // From the right: each trusted proxy names the one before it. An entry that
            // is not an address stops the walk (what lies left of it is the client's own
            // writing).
            let hops: Vec<String> = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|hop| hop.trim().to_owned())
                .collect();
            for hop in hops.iter().rev() {
                let Ok(ip) = hop.parse::<std::net::IpAddr>().map(|ip| ip.to_canonical()) else {
                    break;
                };
                client = ip;
                if !trusted(&ip) {
                    break;
                }
            }
        }
        Ok(ClientAddress(throttle_address(client)))
    }
}

/// The address the sign-in throttle counts: an IPv4 address as it is, an IPv6 address
/// by its /64 network (one machine usually holds a whole /64, so counting single IPv6
/// addresses would let it try afresh from each).
fn throttle_address(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// A handler argument: the viewer of the request.
impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(parts.extensions.get::<Viewer>().cloned().unwrap_or_default())
    }
}

/// A handler argument that admits editors and admins; a reader is sent to sign in and
/// brought back afterwards.
pub struct Editor(pub User, pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for Editor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match viewer.user.clone() {
            Some(user) => Ok(Editor(user, viewer)),
            None => Err(Error::SignInRequired(return_path(parts))),
        }
    }
}

/// A handler argument that admits admins only; an editor gets a 403 page.
pub struct Admin(pub User, pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let Editor(user, viewer) = Editor::from_request_parts(parts, state).await?;
        if user.role() != Role::Admin {
            return Err(Error::Forbidden(
                "Only admins may do this. Ask an admin if you need it done.".to_owned(),
            ));
        }
        Ok(Admin(user, viewer))
    }
}

/// Where to come back to after signing in: the page asked for, or for a form post the
/// page it was posted from.
fn return_path(parts: &Parts) -> String {
    if parts.method == Method::GET {
        parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned()
    } else {
        "/".to_owned()
    }
}

/// A `next` parameter made safe to redirect to: a path on this site, never another host.
pub fn local_path(next: &str) -> String {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    if safe { next.to_owned() } else { "/".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::{RENEW_EVERY_SECONDS, due_for_renewal, local_path};

    #[test]
    fn a_session_is_renewed_every_few_minutes_not_on_every_request() {
        let now = 1_800_000_000;
        assert!(due_for_renewal(None, now), "a session never renewed");
        assert!(!due_for_renewal(Some(now), now));
        assert!(!due_for_renewal(Some(now - RENEW_EVERY_SECONDS + 1), now));
        assert!(due_for_renewal(Some(now - RENEW_EVERY_SECONDS), now));
        assert!(due_for_renewal(Some(now + 60), now), "a clock gone back");
    }

    #[test]
    fn next_never_leads_off_site() {
        assert_eq!(local_path("/events/3/x?y=1"), "/events/3/x?y=1");
        assert_eq!(local_path("//evil.example/"), "/");
        assert_eq!(local_path("/\\evil.example/"), "/");
        assert_eq!(local_path("https://evil.example/"), "/");
        assert_eq!(local_path("/a\nb"), "/");
        assert_eq!(local_path(""), "/");
    }
}

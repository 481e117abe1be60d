//! The HTML interface: one file per page, assembled into one router here, with the
//! middleware every response passes through.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::domain::{Actor, Event, Outlet, Source};
use crate::error::{Error, ErrorDetail};
use crate::store::Db;

/// The signed-in editor's account: personal API tokens.
mod account;
/// An actor's edit form.
mod actor_edit;
/// The actors index, grouped by kind.
mod actor_index;
/// Merging two records of one actor.
mod actor_merge;
/// One actor: aliases, country, events.
mod actor_show;
/// Account management for admins.
pub mod admin;
/// The read API (`/api/v1`): published data as JSON, with its OpenAPI document.
pub mod api;
/// Stylesheet, scripts and icons, compiled into the binary and served with cache headers.
pub mod assets;
/// The published collection as a Frictionless Data Package.
mod datapackage;
/// Checking the event form against the rules and the store.
mod event_check;
/// "Cite this event": a plain-text citation and CSL-JSON, BibTeX and RIS files.
pub mod event_cite;
/// Admins' deletion of an event, after confirming.
mod event_delete;
/// The event form page shared by creating and editing.
mod event_edit;
/// An event's compact card for other sites' pages.
mod event_embed;
/// The event form's fields and rows as typed.
mod event_form;
/// A new event: the blank form and creating the draft.
mod event_new;
/// One event with its sources, claims and disagreements.
mod event_show;
/// Publishing, unpublishing, retracting and restoring an event.
mod event_status;
/// Editing an event, with conflict detection.
mod event_update;
/// A saved version of an event at its own address, and the event's corrections.
mod event_version;
/// Path and query extractors whose rejections are entente's error pages.
pub mod extract;
/// Facets and the histogram of a timeline view.
mod facets;
/// What the editors' forms share: options, versions, stale forms, differences.
mod form;
/// Revisions of events, actors and sources: histories, comparisons, bringing back a
/// version, recent changes.
mod history;
/// A form that failed through no fault of its content, given back whole.
mod kept_form;
/// Signing in and out.
mod login;
/// An outlet's edit form.
mod outlet_edit;
/// Source outlets: their index and one page per outlet.
mod outlets;
/// Rendered pages for readers, kept until the data changes.
pub mod page_cache;
/// Sessions, the viewer of a request, roles and CSRF checks.
pub mod session;
/// A source's edit form.
mod source_edit;
/// Responses written a step at a time, at most two at once.
mod streamed;
/// The events of one actor, tag or outlet: the timeline filtered by it.
mod subject;
/// Tags: their index and one page per tag.
mod tags;
/// The timeline, the home page.
mod timeline;
/// Any timeline view as CSV, JSON, iCalendar or TimelineJS (streamed) and as a feed.
mod timeline_export;
/// A timeline view read from, and written as, a query string.
mod timeline_view;
/// Labels and renderings shared by several pages.
pub mod view;

/// What every handler can reach, shared: every middleware and handler takes a clone
/// of it, and one reference count costs less than one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The fields of [`AppState`].
pub struct Shared {
    pub db: Db,
    /// Rendered pages for readers, for the current generation of the data.
    pub pages: page_cache::PageCache,
    /// Signs the tokens of forms sent without a session (the sign-in form).
    pub signing_key: crate::auth::SigningKey,
    /// Whether cookies are marked `Secure`.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` header names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address readers reach entente at, when configured.
    pub public_url: Option<String>,
    /// How long a page waits for its view's count, facets and histogram.
    pub facet_time_limit: std::time::Duration,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, signing_key: crate::auth::SigningKey, config: &crate::Config) -> AppState {
        AppState(Arc::new(Shared {
            db,
            pages: page_cache::page_cache(config.cache_budget),
            signing_key,
            secure_cookies: config.secure_cookies,
            trusted_proxies: config.trusted_proxies.clone(),
            public_url: config.public_url.clone(),
            facet_time_limit: config.facet_time_limit,
        }))
    }
}

/// Largest request body accepted; forms are small and nothing is uploaded.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// Pages may load scripts, styles, images and fonts only from this server; no inline
/// scripts, no framing, forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// The same for an event's card (`/events/{id}/embed`), the one page any site may
/// frame; it runs no script and posts no form.
pub const EMBED_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; \
     frame-ancestors *; form-action 'none'";

/// The whole application router with its middleware; `sessions` keeps editors' sessions.
pub fn router(
    state: AppState,
    sessions: tower_sessions::SessionManagerLayer<tower_sessions_sqlx_store::SqliteStore>,
) -> Router {
    Router::new()
        .route("/", get(timeline::show))
        .route("/timeline.csv", get(timeline_export::csv))
        .route("/timeline.json", get(timeline_export::json))
        .route("/timeline.ics", get(timeline_export::calendar))
        .route("/timeline.timelinejs.json", get(timeline_export::timelinejs))
        .route("/timeline.atom", get(timeline_export::atom))
        .route("/data/datapackage.json", get(datapackage::descriptor))
        .route("/data/{file}", get(datapackage::table))
        .route("/events/new", get(event_new::new_form).post(event_new::create))
        .route("/events/{id}", get(event_show::redirect_to_canonical))
        .route(
            "/events/{id}/edit",
            get(event_update::edit_form).post(event_update::update),
        )
        .route("/events/{id}/status", post(event_status::change_status))
        .route("/events/{id}/embed", get(event_embed::show))
        .route("/events/{id}/cite.json", get(event_cite::csl_json))
        .route("/events/{id}/cite.bib", get(event_cite::bibtex))
        .route("/events/{id}/cite.ris", get(event_cite::ris))
        .route("/events/{id}/history", get(history::history::<Event>))
        .route("/events/{id}/compare", get(history::compare::<Event>))
        .route("/events/{id}/revert", post(history::revert::<Event>))
        .route("/changes", get(history::recent))
        .route(
            "/events/{id}/delete",
            get(event_delete::delete_form).post(event_delete::delete),
        )
        .route(
            "/actors/{id}/edit",
            get(actor_edit::actor_form).post(actor_edit::update_actor),
        )
        .route(
            "/actors/{id}/merge",
            get(actor_merge::merge_form).post(actor_merge::merge),
        )
        .route("/actors/{id}/history", get(history::history::<Actor>))
        .route("/actors/{id}/compare", get(history::compare::<Actor>))
        .route("/actors/{id}/revert", post(history::revert::<Actor>))
        .route("/sources/{id}/history", get(history::history::<Source>))
        .route("/sources/{id}/compare", get(history::compare::<Source>))
        .route("/sources/{id}/revert", post(history::revert::<Source>))
        .route(
            "/outlets/{name}/edit",
            get(outlet_edit::outlet_form).post(outlet_edit::update_outlet),
        )
        .route("/outlets/{name}/history", get(history::history::<Outlet>))
        .route("/outlets/{name}/compare", get(history::compare::<Outlet>))
        .route("/outlets/{name}/revert", post(history::revert::<Outlet>))
        .route(
            "/sources/{id}/edit",
            get(source_edit::source_form).post(source_edit::update_source),
        )
        .route("/events/{id}/{slug}", get(event_show::show))
        .route("/events/{id}/{slug}/v/{version}", get(event_version::show))
        .route("/actors", get(actor_index::show))
        .route("/actors/{id}", get(actor_show::redirect_to_canonical))
        .route("/actors/{id}/{slug}", get(actor_show::show))
        .route("/tags", get(tags::index))
        .route("/tags/{name}", get(tags::show))
        .route("/outlets", get(outlets::index))
        .route("/outlets/{name}", get(outlets::show))
        .route("/account", get(account::show))
        .route("/account/tokens", post(account::create))
        .route("/account/tokens/{id}/revoke", post(account::revoke))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/admin/users", get(admin::index).post(admin::create))
        .route("/admin/users/{id}/disable", post(admin::disable))
        .route("/admin/users/{id}/enable", post(admin::enable))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route("/admin/users/{id}/password", post(admin::set_password))
        .route("/admin/users/{id}/unlock", post(admin::unlock))
        .route("/api", get(api::guide::show))
        .route("/static/{file}", get(assets::serve))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_cache::serve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::guard,
        ))
        // The API has no viewer: it shows published data to everyone, and takes no form
        // (so it needs no CSRF check).
        .nest(crate::paths::API, api::router(state.clone()))
        .with_state(state)
        .layer(axum::middleware::from_fn(one_generation))
        .layer(sessions)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(CompressionLayer::new())
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin",
        ))
        // Framing is refused but for a page whose own policy allows any site to frame
        // it (the event card); modern browsers follow `frame-ancestors` anyway.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            |response: &axum::response::Response| {
                let embeddable = response
                    .headers()
                    .get(header::CONTENT_SECURITY_POLICY)
                    .is_some_and(|policy| policy.as_bytes() == EMBED_CONTENT_SECURITY_POLICY.as_bytes());
                (!embeddable).then(|| HeaderValue::from_static("DENY"))
            },
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(|_| panic_page()))
        .layer(
            // One log line per request at INFO, so `RUST_LOG=info` shows the traffic.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
}

/// Middleware: the request reads the data's generation once (see
/// [`crate::store::Db::generation`]).
async fn one_generation(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    crate::store::Db::one_generation_per_request(next.run(request)).await
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// A bug must still give the reader a page, not a dropped connection.
fn panic_page() -> axum::response::Response {
    tracing::error!("a handler panicked");
    Error::Internal("panic".to_owned()).into_response()
}

/// Liveness and readiness in one: the process answers and the database responds.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if let Err(e) = state.db.ping().await {
        tracing::error!(error = %e, "health check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
    }
    match state.db.writable().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: writes are blocked");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "writes blocked: another program holds the database's write lock",
            )
        }
    }
}

async fn method_not_allowed() -> axum::response::Response {
    ErrorDetail::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "This address cannot be used that way: pages are read with GET, and only \
         editors' forms post."
            .to_owned(),
    )
    .into_page()
}

async fn not_found() -> axum::response::Response {
    ErrorDetail::new(
        StatusCode::NOT_FOUND,
        "There is nothing at this address. The link may be mistyped.".to_owned(),
    )
    .into_page()
}

//! Rendered pages for readers, kept for one generation of the data.
//!
//! A reader's page is a function of its address and of the data: the same URL in the
//! same generation renders the same bytes. So the first request for a view renders it,
//! and later requests for that address get the stored bytes until the next write bumps
//! the generation (see [`crate::cache`]). Each page carries an `ETag` (a hash of its
//! bytes), so browsers revalidating a page they hold get `304 Not Modified`.
//!
//! Only what is the same for everyone is stored: successful (200) HTML, JSON and Atom answers to GET
//! requests without entente's session cookie, that set no cookie and that do not say
//! `private` or `no-store`. A request with the session cookie (a signed-in editor) is
//! always rendered afresh; other cookies (the sign-in form's token, anything a proxy
//! adds) do not cost a reader the cache. Anonymous visitors never get a session: one is
//! stored only when an editor signs in.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use tower_sessions::Session;

use super::AppState;
use crate::cache::GenerationCache;

/// A stored page: its headers (content type and the like), its bytes and their tag.
#[derive(Debug)]
pub struct CachedPage {
    headers: HeaderMap,
    body: Bytes,
    etag: HeaderValue,
}

/// Stored pages of the current generation, weighed by their size.
pub type PageCache = GenerationCache<CachedPage>;

/// Bytes of pages kept at once (a timeline page is 50-100 KB): the last 150-300 pages asked
/// for, within the server's memory budget (docs/architecture.md, "Memory").
pub const PAGE_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Pages larger than this are served but not stored.
const LARGEST_STORED_PAGE: u64 = 4 * 1024 * 1024;

/// A cache sized for a server: its share of `budget`.
pub fn page_cache(budget: crate::cache::CacheBudget) -> PageCache {
    GenerationCache::new(budget.share(PAGE_CACHE_BYTES), |page: &CachedPage| {
        page.body.len()
    })
}

/// Middleware: answers from the cache when it can, stores what it may.
pub async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET || super::session::has_session_cookie(request.headers()) {
        return next.run(request).await;
    }
    let Ok(generation) = state.db.generation().await else {
        return next.run(request).await;
    };
    // A page names its address's origin in its citations and today's date as their
    // access date: both are part of what a stored page stands for. (With a configured
    // public address the origin is always the same, so a stream of made-up Host headers
    // cannot fill the cache.)
    let origin = super::event_cite::origin(&state, request.headers());
    // The address as asked for: a router nested under a prefix (the API) sees its URI
    // without the prefix, which would give `/api/v1/tags` the key of `/tags`.
    let uri = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| request.uri().clone(), |original| original.0.clone());
    let key = format!("{}|{origin}|{uri}", crate::dates::today());
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let page = match state.pages.get(generation, &key) {
        Some(page) => page,
        None => {
            let session = request.extensions().get::<Session>().cloned();
            let response = next.run(request).await;
            if session.is_some_and(|s| s.is_modified()) || !storable(&response) {
                return response;
            }
            let (parts, body) = response.into_parts();
            let bytes = match axum::body::to_bytes(body, LARGEST_STORED_PAGE as usize).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    return crate::error::Error::Internal(format!("reading a rendered page: {e}"))
                        .into_response();
                }
            };
            // A copy of exactly the page's size: the rendered body's buffer grew by
            // doubling, and the cache weighs what it keeps by its length.
            let bytes = Bytes::copy_from_slice(&bytes);
            let page = Arc::new(CachedPage::new(parts.headers, bytes));
            state.pages.put(generation, key, page.clone());
            page
        }
    };
    page.respond(if_none_match.as_ref())
}

/// The response, marked for the page cache not to keep when `counting`: a page whose
/// view was not counted in time, which the next reader should get counted.
pub fn not_stored_when(counting: bool, mut response: Response) -> Response {
    if counting {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether a response is the same for every reader and small enough to keep.
fn storable(response: &Response) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::OK
        && !headers.contains_key(header::SET_COOKIE)
        && !headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("private") || v.contains("no-store"))
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                ["text/html", "application/json", "application/atom+xml"]
                    .iter()
                    .any(|stored| v.starts_with(stored))
            })
        && response
            .body()
            .size_hint()
            .exact()
            .is_some_and(|len| len <= LARGEST_STORED_PAGE)
}

impl CachedPage {
    fn new(mut headers: HeaderMap, body: Bytes) -> CachedPage {
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        let etag = HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        headers.remove(header::CONTENT_LENGTH);
        // Browsers may keep the page but must ask again (cheaply, by its tag) before
        // showing it, so a correction is seen on the next visit.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        CachedPage { headers, body, etag }
    }

    fn respond(&self, if_none_match: Option<&HeaderValue>) -> Response {
        if if_none_match.is_some_and(|tags| matches_tag(tags, &self.etag)) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response.headers_mut().insert(header::ETAG, self.etag.clone());
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            // A browser applies a 304's headers to the copy it holds: the page's own
            // policy (the event card's, which allows framing) must come along.
            // So must the API's permission for other sites to read it.
            for name in [
                header::CONTENT_SECURITY_POLICY,
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
            ] {
                if let Some(value) = self.headers.get(&name) {
                    response.headers_mut().insert(name, value.clone());
                }
            }
            return response;
        }
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.headers_mut() = self.headers.clone();
        response.headers_mut().insert(header::ETAG, self.etag.clone());
        response
    }
}

/// `If-None-Match` holds `*` or a list of tags, possibly weak (`W/"…"`).
fn matches_tag(tags: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(tags) = tags.to_str() else {
        return false;
    };
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    tags.split(',')
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_the_wildcard() {
        let etag = HeaderValue::from_static("\"abc\"");
        for header in ["\"abc\"", "\"x\", \"abc\"", "W/\"abc\"", "*"] {
            assert!(matches_tag(&HeaderValue::from_static(header), &etag), "{header}");
        }
        for header in ["\"abcd\"", "abc", "\"x\""] {
            assert!(!matches_tag(&HeaderValue::from_static(header), &etag), "{header}");
        }
    }
}

//! Shared by the test binaries: an application on a temporary database, and requests
//! sent to it in-process.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use entente::{App, Config};

/// A small dataset with exactly the situations the pages must handle: a date conflict,
/// a disputed figure, month- and year-precision dates, aliases in other scripts, a draft,
/// a relation, and hostile Markdown.
pub const FIXTURE: &str = include_str!("fixture.json");

/// An application on its own temporary database; the directory lives as long as this.
pub struct TestApp {
    pub app: App,
    pub dir: tempfile::TempDir,
}

/// The fixture dataset, without the demo data.
pub async fn fixture_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_database(dir.path().join("test.sqlite3"));
    config.demo_data = false;
    let app = entente::build(&config).await.expect("app builds");
    let dataset = entente::import::parse_dataset(FIXTURE).expect("fixture parses");
    entente::import::load_dataset(&app.db, &dataset)
        .await
        .expect("fixture loads");
    TestApp { app, dir }
}

/// The application as a fresh install starts: with the demo dataset.
pub async fn demo_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::for_database(dir.path().join("demo.sqlite3"));
    let app = entente::build(&config).await.expect("app builds");
    TestApp { app, dir }
}

/// A response, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    /// Panics with the page text when `needle` is missing, so failures explain themselves.
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in page:\n{}",
            self.body
        );
    }

    pub fn assert_lacks(&self, needle: &str) {
        assert!(
            !self.body.contains(needle),
            "did not expect {needle:?} in page:\n{}",
            self.body
        );
    }

    /// Byte offset of `needle`, for order checks.
    pub fn position(&self, needle: &str) -> usize {
        self.body
            .find(needle)
            .unwrap_or_else(|| panic!("expected {needle:?} in page:\n{}", self.body))
    }
}

impl TestApp {
    pub async fn get(&self, uri: &str) -> Page {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn send(&self, request: Request<Body>) -> Page {
        let response = self
            .app
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

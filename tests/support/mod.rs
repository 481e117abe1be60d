//! Shared by the test binaries: an application on a temporary database, and requests
//! sent to it in-process.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use entente::{App, Config};

pub mod editing;

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

impl TestApp {
    /// The path of the database file.
    pub fn database(&self) -> std::path::PathBuf {
        self.dir.path().join("test.sqlite3")
    }

    /// A second application on the same database file, as a second server process
    /// would be (its own pools, caches and session store).
    pub async fn another_server(&self) -> TestApp {
        let mut config = Config::for_database(self.database());
        config.demo_data = false;
        let app = entente::build(&config).await.expect("second app builds");
        TestApp {
            app,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
}

/// An application on a generated collection of `events` events (the benchmark's
/// generator, seed 7), for what only shows with more rows than one step of a stream;
/// with how many of them are published.
pub async fn generated_app(events: usize) -> (TestApp, i64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_database(dir.path().join("big.sqlite3"));
    config.demo_data = false;
    let app = entente::build(&config).await.expect("app");
    entente::fixture::generate(&app.db, events, 7)
        .await
        .expect("fixture");
    let published = app.db.timeline_count(&Default::default()).await.expect("count");
    (TestApp { app, dir }, published)
}

/// An application on an empty database (no demo data).
pub async fn empty_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_database(dir.path().join("empty.sqlite3"));
    config.demo_data = false;
    let app = entente::build(&config).await.expect("app builds");
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

/// A browser's session, in-process: the session cookie (`name=value`) and the CSRF token
/// its pages carry.
#[derive(Debug, Clone)]
pub struct Agent {
    pub cookie: String,
    pub csrf: String,
}

/// The `name=value` of the session cookie a response sets, if any.
pub fn session_cookie(page: &Page) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("entente_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// The `name=value` of the sign-in form's token cookie a response sets, if any.
pub fn signin_cookie(page: &Page) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("entente_signin="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// The CSRF token in a page's forms.
pub fn csrf_in(page: &Page) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.position(marker) + marker.len();
    let end = page.body[start..].find('"').expect("token ends") + start;
    page.body[start..end].to_owned()
}

/// A urlencoded form body.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (key, value) in fields {
        body.append_pair(key, value);
    }
    body.finish()
}

impl TestApp {
    /// Adds an account directly in the store.
    pub async fn add_user(&self, name: &str, role: &str, password: &str) -> entente::store::users::User {
        let role = entente::auth::Role::parse(role).expect("role");
        let hash = entente::auth::hash_password(password).expect("hash");
        self.app
            .db
            .create_user(name, role, &hash)
            .await
            .expect("user added")
    }

    /// Opens the sign-in form as a new visitor: the signed token, in its cookie and in
    /// the form.
    pub async fn visit_login(&self) -> Agent {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            session_cookie(&page).is_none(),
            "the sign-in form stores no session"
        );
        Agent {
            cookie: signin_cookie(&page).expect("the sign-in form sets its token's cookie"),
            csrf: csrf_in(&page),
        }
    }

    /// Submits the sign-in form from a fresh visit; the response as it comes.
    pub async fn try_sign_in(&self, name: &str, password: &str) -> Page {
        let visitor = self.visit_login().await;
        self.post_as(
            &visitor,
            "/login",
            &[("name", name), ("password", password), ("next", "/")],
        )
        .await
    }

    /// Signs in through the form and returns the signed-in session.
    pub async fn sign_in(&self, name: &str, password: &str) -> Agent {
        let visitor = self.visit_login().await;
        let page = self
            .post_as(
                &visitor,
                "/login",
                &[("name", name), ("password", password), ("next", "/")],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let cookie = session_cookie(&page).expect("signing in sets a new session cookie");
        assert_ne!(cookie, visitor.cookie, "the session id changes on sign-in");
        let home = self.get_with_cookie(&cookie, "/").await;
        Agent {
            csrf: csrf_in(&home),
            cookie,
        }
    }

    pub async fn get_with_cookie(&self, cookie: &str, uri: &str) -> Page {
        self.send(
            Request::get(uri)
                .header("cookie", cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    pub async fn get_as(&self, agent: &Agent, uri: &str) -> Page {
        self.get_with_cookie(&agent.cookie, uri).await
    }

    /// Posts a form with the agent's cookie and CSRF token.
    pub async fn post_as(&self, agent: &Agent, uri: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf_token", agent.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form(Some(&agent.cookie), uri, &all).await
    }

    /// Posts a form exactly as given: no token added.
    pub async fn post_form(&self, cookie: Option<&str>, uri: &str, fields: &[(&str, &str)]) -> Page {
        let mut request = Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        self.send(request.body(Body::from(form_body(fields))).expect("request"))
            .await
    }
}

//! What a person does in a browser, in headless Chromium driven through chromedriver:
//! following links from the timeline to a permalink, redirects of shared links, the
//! optional script under our Content-Security-Policy, and an accessibility audit with
//! axe-core at desktop and phone width.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and axe-core from npm; `tests/run`
//! installs them when missing and sets `ENTENTE_REQUIRE_BROWSER`, so that there a missing
//! browser fails the run. A plain `cargo test` on a machine without them says each
//! browser test was skipped, and why, instead of failing.

use crate::support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::net::TcpListener;

/// A chromedriver process with one browser session, and the app on a real socket.
struct Browser {
    client: Client,
    driver: Child,
    base: String,
    app: support::TestApp,
    _profile: tempfile::TempDir,
}

/// Why the browser tests cannot run here, if they cannot: `None` when Chromium,
/// chromedriver and axe-core are all present.
fn missing_tools() -> Option<String> {
    if !std::path::Path::new(&chromium()).exists() {
        return Some(format!("no Chromium at {}", chromium()));
    }
    if Command::new(chromedriver()).arg("--version").output().is_err() {
        return Some(format!("no {} on the PATH", chromedriver()));
    }
    if !axe_path().exists() {
        return Some(format!("no axe-core at {}", axe_path().display()));
    }
    None
}

/// Starts a browser, or says why the test is skipped (outside `tests/run`, where a
/// missing browser is an error).
macro_rules! browser_or_skip {
    () => {
        match missing_tools() {
            None => Browser::start().await,
            Some(reason) if std::env::var_os("ENTENTE_REQUIRE_BROWSER").is_none() => {
                // Straight to stderr: the test harness would hide an eprintln! of a passing test.
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "browser test skipped: {reason}; `bash tests/run` installs what it needs"
                );
                return;
            }
            Some(reason) => panic!("the browser tests need {reason}"),
        }
    };
}

impl Browser {
    async fn start() -> Browser {
        // Two TLS providers are built in (fantoccini's and the link checker's): the
        // process chooses one, as rustls asks.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let app = support::fixture_app().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address: SocketAddr = listener.local_addr().expect("address");
        let router = app.app.router.clone();
        tokio::spawn(entente::serve_on(listener, router, std::future::pending()));

        let port = free_port();
        let mut driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (install it with `bash tests/run`)");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut attempts = 0;
        let client = loop {
            match ClientBuilder::rustls()
                .expect("tls")
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                // chromedriver may not be listening yet: retry a bounded number of times.
                Err(_) if attempts < 100 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => {
                    let _ = driver.kill();
                    panic!("cannot start a Chromium session: {e}");
                }
            }
        };
        Browser {
            client,
            driver,
            base: format!("http://{address}"),
            app,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.expect("navigate");
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        url.path().to_owned()
    }

    /// Clicks the link with this text and waits until the next page shows `css`.
    async fn follow(&self, link_text: &str, css: &str) {
        self.client
            .find(Locator::LinkText(link_text))
            .await
            .unwrap_or_else(|e| panic!("no link {link_text:?}: {e}"))
            .click()
            .await
            .expect("click");
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear after following {link_text:?}: {e}"));
    }

    /// Types into the field matching `css`.
    async fn type_into(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
    }

    /// Waits until an element matching `css` is on the page.
    async fn wait_for(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"));
    }

    /// Clicks the element matching `css`.
    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .text()
            .await
            .expect("text")
    }

    /// Signs in through the form (from wherever the browser is sent to it) and waits for
    /// the page it returns to.
    async fn sign_in(&self, name: &str, password: &str) {
        let form = self
            .client
            .form(Locator::Css("form[action='/login']"))
            .await
            .expect("sign-in form");
        form.set_by_name("name", name).await.expect("name");
        form.set_by_name("password", password).await.expect("password");
        // Mark the page the form is on, so that the wait below finds the next page's
        // outcome, not a refusal still shown on this one.
        self.client
            .execute("document.body.setAttribute('data-before-submit', '')", vec![])
            .await
            .expect("mark the page");
        form.submit().await.expect("submit");
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(
                "body:not([data-before-submit]) .account-bar, body:not([data-before-submit]) .field-error",
            ))
            .await
            .expect("a page after signing in");
    }

    async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_follows_a_timeline_entry_to_its_permalink_and_checks_its_sources() {
    let browser = browser_or_skip!();
    browser.goto("/").await;
    assert_eq!(browser.text("h1").await, "Timeline");

    browser
        .follow("Iran and Belarus sign defense MOU in Tehran", "#event-title")
        .await;
    assert_eq!(
        browser.path().await,
        "/events/1/iran-and-belarus-sign-defense-mou-in-tehran"
    );
    assert_eq!(
        browser.text("#event-title").await,
        "Iran and Belarus sign defense MOU in Tehran"
    );
    assert!(browser.text(".disagreement").await.contains("Sources disagree"));
    assert!(browser.text("#source-1").await.contains("The Cradle"));

    // A source number in the disagreement box jumps to that citation.
    browser.click(".disagreement a[href='#source-2']").await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.fragment(), Some("source-2"));

    // The actor link leads to the actor page, which links back to the event.
    browser.follow("Viktor Khrenin", "#actor-name").await;
    assert_eq!(browser.path().await, "/actors/3/viktor-khrenin");
    assert!(browser.text(".aliases").await.contains("Виктор Хренин"));
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_links_without_or_with_old_slugs_land_on_the_canonical_permalink() {
    let browser = browser_or_skip!();
    for shared in ["/events/1", "/events/1/an-old-title"] {
        browser.goto(shared).await;
        assert_eq!(
            browser.path().await,
            "/events/1/iran-and-belarus-sign-defense-mou-in-tehran",
            "{shared}"
        );
        assert_eq!(
            browser.text("#event-title").await,
            "Iran and Belarus sign defense MOU in Tehran"
        );
    }
    browser.goto("/events/424242").await;
    assert_eq!(browser.text("h1").await, "Not Found");
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_script_runs_under_the_content_security_policy() {
    let browser = browser_or_skip!();
    browser
        .goto("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    // The copy-link button is hidden in the HTML and revealed by app.js: visible means the
    // script was loaded from our server and allowed to run.
    let button = browser
        .client
        .find(Locator::Css("button.copy-link"))
        .await
        .expect("button");
    assert!(
        button.is_displayed().await.expect("displayed"),
        "app.js did not run"
    );
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn researcher_filters_with_the_form_removes_a_chip_and_shares_the_url() {
    let browser = browser_or_skip!();
    browser.goto("/").await;
    let form = browser
        .client
        .form(Locator::Css("form.filters"))
        .await
        .expect("filter form");
    form.set_by_name("country", "IR").await.expect("choose Iran");
    browser.click("input[name=type][value=visit]").await;
    browser
        .client
        .find(Locator::Css("#from"))
        .await
        .expect("from field")
        .send_keys("2023-07")
        .await
        .expect("type a date");
    form.submit().await.expect("submit");
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".chips"))
        .await
        .expect("filtered view");
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/");
    assert_eq!(
        url.query(),
        Some("country=IR&type=visit&from=2023-07"),
        "canonical URL after the form"
    );
    assert_eq!(
        browser.text(".lede").await.split('.').next(),
        Some("1 matching events")
    );
    assert!(browser.text(".entries").await.contains("Khrenin visits Tehran"));

    // Reloading the copied address shows the same events.
    let shared = url.to_string();
    browser.client.goto(&shared).await.expect("open the shared URL");
    assert!(browser.text(".entries").await.contains("Khrenin visits Tehran"));
    assert_eq!(
        browser.text(".lede").await.split('.').next(),
        Some("1 matching events")
    );

    // Removing the type chip widens the view to every event involving Iran since July 2023.
    let mut widened = url.clone();
    widened.set_query(Some("country=IR&from=2023-07"));
    browser.click("a[aria-label='Remove filter Type: Visit']").await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&widened)
        .await
        .expect("chip removed");
    assert!(
        browser
            .text(".entries")
            .await
            .contains("Iran and Belarus sign defense MOU in Tehran")
    );
    browser.stop().await;
}

/// Where axe-core's script is: installed by `tests/run` (npm) unless AXE_CORE_JS points
/// elsewhere.
fn axe_path() -> PathBuf {
    std::env::var("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js")
        })
}

/// axe-core's script.
fn axe_source() -> String {
    let path = axe_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core not found at {} ({e}); run `bash tests/run`",
            path.display()
        )
    })
}

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
  .then((r) => done(r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)))
  .catch((e) => done([`axe failed: ${e}`]));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn researcher_searches_from_the_form_and_pages_through_the_timeline() {
    let browser = browser_or_skip!();
    browser.goto("/?country=IR").await;
    browser
        .client
        .find(Locator::Css("#q"))
        .await
        .expect("search field")
        .send_keys("Хренин")
        .await
        .expect("type a search");
    browser.click("form.filters button[type=submit]").await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#results-heading"))
        .await
        .expect("ranked results");
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(
        url.query(),
        Some("q=%D0%A5%D1%80%D0%B5%D0%BD%D0%B8%D0%BD&country=IR")
    );
    assert_eq!(
        browser.text(".lede").await.split('.').next(),
        Some("2 matching events")
    );
    assert_eq!(browser.text(".entries mark").await, "Хренин");

    // Paging: the next link is a permalink, and the previous link leads back.
    browser.goto("/?limit=2").await;
    let first = browser.text(".year").await;
    browser.follow("Older events →", ".entries").await;
    let second_url = browser.client.current_url().await.expect("url");
    assert!(
        second_url
            .query()
            .is_some_and(|q| q.starts_with("limit=2&cursor=")),
        "{second_url}"
    );
    let second = browser.text(".year").await;
    assert_ne!(first, second);
    browser.client.refresh().await.expect("reload");
    assert_eq!(
        browser.text(".year").await,
        second,
        "reloading a page link shows the same events"
    );
    browser.follow("← Newer events", ".entries").await;
    assert_eq!(browser.text(".year").await, first);
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn researcher_follows_a_histogram_bar_and_a_facet() {
    let browser = browser_or_skip!();
    browser.goto("/?country=BY").await;
    let mut month = browser.client.current_url().await.expect("url");
    month.set_query(Some("country=BY&from=2023-07&to=2023-07"));
    browser
        .click(".histogram a[aria-label='July 2023: 2 events']")
        .await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&month)
        .await
        .expect("the bar leads to its month");
    let entries = browser.text(".entries").await;
    assert!(entries.contains("Khrenin visits Tehran"), "{entries}");
    assert!(!entries.contains("Gomel"), "{entries}");
    // A facet value narrows the month further, keeping the other filters.
    browser.follow("Agreement", "#facet-types strong").await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(
        url.query(),
        Some("country=BY&type=agreement&from=2023-07&to=2023-07")
    );
    assert_eq!(
        browser.text(".lede").await.split('.').next(),
        Some("1 matching events")
    );
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn researcher_takes_a_filtered_view_to_the_api_and_tries_the_guides_example() {
    let browser = browser_or_skip!();
    browser.goto("/?country=BY").await;
    let listed = browser.text("body").await;
    browser.follow("API", "pre").await;
    assert_eq!(browser.path().await, "/api/v1/events");
    let answer: serde_json::Value = serde_json::from_str(&browser.text("pre").await).expect("JSON");
    let events = answer["events"].as_array().expect("events");
    assert!(!events.is_empty());
    for event in events {
        let title = event["title"].as_str().expect("title");
        assert!(
            listed.contains(title),
            "{title} is on the page the API link came from"
        );
    }
    // The footer leads to the guide, whose example answers.
    browser.goto("/").await;
    browser.follow("Data and API", "#api-endpoints").await;
    assert_eq!(browser.path().await, "/api");
    let example = browser.url("/api/v1/events?country=BY&country=IR&type=agreement&include=facets");
    browser.follow(&example, "pre").await;
    let answer: serde_json::Value = serde_json::from_str(&browser.text("pre").await).expect("JSON");
    assert!(answer["facets"]["countries"].is_array(), "{answer}");
    assert!(answer["total"].as_i64().is_some_and(|n| n > 0), "{answer}");
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_goes_from_an_event_to_its_tag_and_outlet_and_on_to_the_timeline() {
    let browser = browser_or_skip!();
    browser
        .goto("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    browser.follow("drones", "#tag-name").await;
    assert_eq!(browser.path().await, "/tags/drones");
    let tag_page = browser.text(".entries").await;
    assert!(
        tag_page.contains("Iran and Belarus sign defense MOU in Tehran"),
        "{tag_page}"
    );
    // The tag's events continue on the timeline, filtered by the tag, same events first.
    browser.follow("See them on the timeline", ".chips").await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.query(), Some("tag=drones&order=asc"));
    assert!(browser.text(".chips").await.contains("drones"));
    let timeline = browser.text(".entries").await;
    assert!(
        timeline.contains("Iran and Belarus sign defense MOU in Tehran"),
        "{timeline}"
    );
    // From a source on an event page to its outlet.
    browser
        .goto("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    browser.click("#sources-heading ~ ol a.outlet").await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#outlet-name"))
        .await
        .expect("the outlet page");
    assert!(browser.path().await.starts_with("/outlets/"));
    assert!(browser.text(".outlet-sources").await.contains("cited by"));
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_signs_in_fixes_a_typo_sees_a_draft_and_signs_out() {
    let browser = browser_or_skip!();
    browser.app.add_user("Ada", "admin", "admin password 1").await;
    browser.goto("/events/6").await;
    assert_eq!(browser.text("h1").await, "Not Found", "readers do not see drafts");

    browser.goto("/admin/users").await;
    assert_eq!(browser.path().await, "/login");
    assert_eq!(browser.text("h1").await, "Sign in");
    browser.sign_in("Ada", "admin password").await;
    assert!(
        browser
            .text(".field-error")
            .await
            .contains("do not match an active account"),
        "a wrong password is reported on the form"
    );
    let name = browser
        .client
        .find(Locator::Css("#login-name"))
        .await
        .expect("name field");
    assert_eq!(name.prop("value").await.expect("value").as_deref(), Some("Ada"));
    browser.sign_in("Ada", "admin password 1").await;
    assert_eq!(
        browser.path().await,
        "/admin/users",
        "back where the editor was going"
    );
    assert!(
        browser
            .text(".account-bar")
            .await
            .contains("Signed in as Ada (admin)")
    );
    assert!(browser.text("table.accounts").await.contains("(you)"));

    browser.goto("/events/6").await;
    assert!(browser.text(".status-banner").await.contains("Draft."));
    assert_eq!(
        browser.text("#event-title").await,
        "Unverified rumour about a drone plant"
    );

    browser.click(".account-bar button").await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Editors: sign in"))
        .await
        .expect("signed out");
    assert_eq!(browser.path().await, "/");
    browser.goto("/events/6").await;
    assert_eq!(
        browser.text("h1").await,
        "Not Found",
        "signed out: drafts are hidden again"
    );
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_creates_an_event_with_an_alias_and_two_sources_fixes_the_date_and_publishes_it() {
    let browser = browser_or_skip!();
    browser.app.add_user("Eddie", "editor", "editor password 1").await;
    browser.goto("/events/new").await;
    assert_eq!(browser.path().await, "/login");
    browser.sign_in("Eddie", "editor password 1").await;
    assert_eq!(browser.path().await, "/events/new");

    let form = browser
        .client
        .form(Locator::Css("form.event-form"))
        .await
        .expect("event form");
    form.set_by_name("title", "Minsk hosts Iranian drone engineers")
        .await
        .expect("title");
    form.set_by_name("event_type", "visit").await.expect("type");
    form.set_by_name("date", "2024-13").await.expect("date");
    form.set_by_name("tags", "drones").await.expect("tags");
    browser.type_into("#p-0-actor", "Хренин").await;
    browser.type_into("#p-0-title", "Defense Minister").await;
    browser.type_into("#s-0-outlet", "BelTA").await;
    browser
        .type_into("#s-0-title", "Iranian engineers in Minsk")
        .await;
    browser
        .type_into("#s-0-url", "https://example.org/belta/engineers")
        .await;
    browser
        .type_into("#s-0-passage", "Iranian drone engineers arrived in Minsk.")
        .await;
    browser
        .click("form.event-form button[type=submit]:not([name])")
        .await;
    browser.wait_for("#date-error").await;
    assert!(browser.text("#date-error").await.contains("2024-13"));
    let title = browser.client.find(Locator::Css("#title")).await.expect("title");
    assert_eq!(
        title.prop("value").await.expect("value").as_deref(),
        Some("Minsk hosts Iranian drone engineers"),
        "the input is kept"
    );

    // The rows are kept, with a blank one for a second source.
    let actor = browser
        .client
        .find(Locator::Css("#p-0-actor"))
        .await
        .expect("actor");
    assert_eq!(
        actor.prop("value").await.expect("value").as_deref(),
        Some("#3 Viktor Khrenin"),
        "the alias resolved to its actor, and the row is kept"
    );
    browser.type_into("#s-1-outlet", "IRNA").await;
    browser.type_into("#s-1-title", "Delegation visit").await;
    browser
        .type_into("#s-1-passage", "Engineers travelled to Belarus in March.")
        .await;
    browser.type_into("#s-1-claimed", "2024-03").await;
    let date = browser.client.find(Locator::Css("#date")).await.expect("date");
    date.clear().await.expect("clear");
    date.send_keys("2024-03").await.expect("type the date");
    browser.click("button[name=preview]").await;
    browser.wait_for(".date-preview").await;
    assert!(browser.text(".date-preview").await.contains("Mar 2024"));

    browser
        .click("form.event-form button[type=submit]:not([name])")
        .await;
    browser.wait_for(".status-banner").await;
    assert!(browser.path().await.starts_with("/events/"));
    assert_eq!(
        browser.text("#event-title").await,
        "Minsk hosts Iranian drone engineers"
    );
    assert!(browser.text(".notice").await.contains("Saved as a draft"));
    let sources = browser.text("#sources").await;
    assert!(
        sources.contains("Iranian drone engineers arrived in Minsk."),
        "{sources}"
    );
    assert!(
        sources.contains("Engineers travelled to Belarus in March."),
        "{sources}"
    );
    assert!(browser.text(".participants").await.contains("Viktor Khrenin"));

    browser.click(".editor-tools button[value=publish]").await;
    // Only the published event's page offers to take it back to a draft.
    browser.wait_for(".editor-tools button[value=unpublish]").await;
    assert!(browser.text(".notice").await.contains("Published"));
    browser.goto("/").await;
    browser
        .follow("Minsk hosts Iranian drone engineers", "#event-title")
        .await;
    assert!(
        browser.client.find(Locator::Css(".status-banner")).await.is_err(),
        "published"
    );
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_ranks_a_competing_claim_as_an_alternative_and_a_reader_sees_the_dispute() {
    let browser = browser_or_skip!();
    browser.app.add_user("Eddie", "editor", "editor password 1").await;
    browser.goto("/events/2/edit").await;
    browser.sign_in("Eddie", "editor password 1").await;
    assert_eq!(browser.path().await, "/events/2/edit");
    browser
        .type_into(
            "#s-0-claims",
            "Officers in the delegation: about 20 (according to the ministry)\n\
             Officers in the delegation: over 40 (according to an opposition channel) \
             [alternative: one unnamed witness]",
        )
        .await;
    browser
        .click("form.event-form button[type=submit]:not([name])")
        .await;
    browser.wait_for("#what-the-sources-say").await;
    assert!(browser.text(".notice").await.contains("Saved"));

    // A reader, signed out, sees the value the editors hold, marked disputed, and every
    // claim with its rank.
    browser.click(".account-bar button").await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Editors: sign in"))
        .await
        .expect("signed out");
    browser.goto("/events/2").await;
    browser.wait_for("#what-the-sources-say").await;
    let heading = browser.text("#claim-topic-1").await;
    assert!(
        heading.contains("Officers in the delegation: about 20"),
        "{heading}"
    );
    assert!(
        heading.to_lowercase().contains("disputed"),
        "the marker: {heading}"
    );
    let list = browser.text("#what-the-sources-say").await;
    assert!(list.contains("more than 40"), "{list}");
    assert!(list.contains("Alternative"), "{list}");
    assert!(list.contains("one unnamed witness"), "{list}");
    let disagreement = browser.text(".disagreement").await;
    assert!(
        disagreement.contains("this page holds about 20"),
        "{disagreement}"
    );
    // The marker leads to the list.
    browser.follow("What the sources say", "#claim-topic-1").await;
    assert!(
        browser
            .client
            .current_url()
            .await
            .expect("url")
            .as_str()
            .ends_with("#what-the-sources-say")
    );
    browser.stop().await;
}

/// The serious and critical axe-core violations of the page the browser shows.
async fn axe_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser.client.execute(axe, vec![]).await.expect("inject axe");
    let violations = browser
        .client
        .execute_async(AXE_RUN, vec![])
        .await
        .expect("run axe");
    violations
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or("?").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_signed_out_in_another_tab_signs_in_again_and_saves_with_nothing_retyped() {
    let browser = browser_or_skip!();
    let axe = axe_source();
    browser.app.add_user("Eddie", "editor", "editor password 1").await;
    browser.goto("/login").await;
    browser.sign_in("Eddie", "editor password 1").await;
    browser.goto("/events/1/edit").await;
    let title = browser
        .client
        .find(Locator::Css("#title"))
        .await
        .expect("title field");
    title.clear().await.expect("clear");
    title.send_keys("Retitled in the first tab").await.expect("type");

    // Another tab signs out.
    let first = browser.client.window().await.expect("this tab");
    let other = browser.client.new_window(true).await.expect("another tab");
    browser
        .client
        .switch_to_window(other.handle)
        .await
        .expect("switch");
    browser.goto("/").await;
    browser.click(".account-bar button").await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Editors: sign in"))
        .await
        .expect("signed out");
    browser.client.close_window().await.expect("close the other tab");
    browser.client.switch_to_window(first).await.expect("back");

    // Saving in the first tab: the form is kept, and a sign-in carries it through.
    browser
        .click("form.event-form button[type=submit]:not([name])")
        .await;
    browser.wait_for("#kept-password").await;
    assert_eq!(browser.text("h1").await, "Signed out: your form is kept");
    let kept = browser
        .client
        .find(Locator::Css("input[name=resume_body]"))
        .await
        .expect("the kept form")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(kept.contains("Retitled+in+the+first+tab"), "{kept}");
    let violations = axe_violations(&browser, &axe).await;
    assert!(violations.is_empty(), "the kept form's page: {violations:?}");
    browser.type_into("#kept-name", "Eddie").await;
    browser.type_into("#kept-password", "editor password 1").await;
    browser.click("form[action='/login'] button[type=submit]").await;
    browser
        .wait_for("form[action='/events/1/edit'] button[type=submit]")
        .await;
    assert_eq!(browser.text("h1").await, "Signed in: your form is kept");
    browser
        .click("form[action='/events/1/edit'] button[type=submit]")
        .await;
    browser.wait_for("#event-title").await;
    assert_eq!(browser.text("#event-title").await, "Retitled in the first tab");
    assert!(browser.text(".notice").await.contains("Saved"));
    browser.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_at_desktop_and_phone_width() {
    let axe = axe_source();
    let browser = browser_or_skip!();
    let pages = [
        "/",
        "/events/1/iran-and-belarus-sign-defense-mou-in-tehran/v/1",
        "/?order=asc",
        "/events/1/iran-and-belarus-sign-defense-mou-in-tehran",
        "/events/2/khrenin-visits-tehran",
        "/actors",
        "/actors/2/belarus",
        "/actors/3/viktor-khrenin",
        "/no-such-page",
        "/?country=BY&country=IR&type=visit&from=2023",
        "/?actor=3&tag=drones&outlet=The+Cradle",
        "/?order=bad",
        "/?q=khrenin",
        "/?q=%22drone",
        "/?limit=2&cursor=ad_2023-07-31_2023-07-31_2",
        "/?country=BY&from=2023-07&to=2023-07",
        "/?q=nothingmatchesthis",
        "/?verification=corroborated&alternatives=yes",
        "/tags",
        "/tags/drones",
        "/outlets",
        "/outlets/The%20Cradle",
        "/login",
        "/events/1/embed",
        "/api",
    ];
    // Then the same checks on editors' pages, signed in.
    let editor_pages = [
        "/admin/users",
        "/account",
        "/events/6/unverified-rumour-about-a-drone-plant",
        "/events/1/iran-and-belarus-sign-defense-mou-in-tehran",
        "/events/new",
        "/events/1/edit",
        "/events/1/history",
        "/events/1/compare?from=1&to=2",
        "/changes",
        "/actors/3/edit",
        "/actors/3/history",
        "/sources/1/history",
        "/actors/4/merge",
        "/sources/1/edit?next=/events/1",
        "/outlets/1/edit",
        "/outlets/1/history",
        "/events/2/delete",
        "/?status=draft",
        "/",
    ];
    let ada = browser.app.add_user("Ada", "admin", "admin password 1").await;
    // Two revisions of event 1, for its history and comparison pages.
    let db = &browser.app.app.db;
    let unpublish = entente::domain::edit::StatusChange::Unpublish;
    use entente::store::editing::Saved;
    let first = db.change_event_status(1, 1, unpublish, "", ada.id).await;
    assert!(matches!(first, Ok(Saved::Saved { version: 2 })), "{first:?}");
    let publish = entente::domain::edit::StatusChange::Publish;
    let second = db.change_event_status(1, 2, publish, "", ada.id).await;
    assert!(matches!(second, Ok(Saved::Saved { version: 3 })), "{second:?}");
    // A correction to the MOU, so that its page lists one (its first version, the
    // baseline kept at the first change, has an address of its own).
    let mut dataset = entente::import::parse_dataset(support::FIXTURE).expect("fixture parses");
    dataset.events[0].date_note = "Three sources agree on 31 July; one says June.".to_owned();
    entente::import::import_dataset(
        &browser.app.app.db,
        &dataset,
        entente::import::ImportOptions {
            file_name: "corrections.json",
            user_id: None,
            dry_run: false,
        },
    )
    .await
    .expect("the correction imports");
    let mut failures = Vec::new();
    for (signed_in, pages) in [(false, &pages[..]), (true, &editor_pages[..])] {
        if signed_in {
            browser.goto("/login").await;
            browser.sign_in("Ada", "admin password 1").await;
        }
        for (width, height) in [(1280, 900), (390, 844)] {
            browser
                .client
                .set_window_size(width, height)
                .await
                .expect("resize");
            for page in pages {
                browser.goto(page).await;
                browser.client.execute(&axe, vec![]).await.expect("inject axe");
                let violations = browser
                    .client
                    .execute_async(AXE_RUN, vec![])
                    .await
                    .expect("run axe");
                for violation in violations.as_array().into_iter().flatten() {
                    failures.push(format!(
                        "{page} at {width}px: {}",
                        violation.as_str().unwrap_or("?")
                    ));
                }
            }
        }
    }
    browser.stop().await;
    assert!(
        failures.is_empty(),
        "accessibility violations:\n{}",
        failures.join("\n")
    );
}

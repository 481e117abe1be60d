//! Hardening, in-process: several servers on one database file, a database locked by
//! another program, and what each answers then.

use crate::support;

use axum::http::StatusCode;
use support::editing::{event_fields, version_of};
use support::{Agent, TestApp, fixture_app};

const PASSWORD: &str = "editor password 1";

async fn signed_in(app: &TestApp) -> Agent {
    app.sign_in("Eddie", PASSWORD).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_database_file_save_concurrently_without_errors() {
    let first = fixture_app().await;
    first.add_user("Eddie", "editor", PASSWORD).await;
    let second = first.another_server().await;
    let (a, b) = (signed_in(&first).await, signed_in(&second).await);
    let first = std::sync::Arc::new(first);
    let second = std::sync::Arc::new(second);
    let mut tasks = Vec::new();
    for round in 0..12 {
        for (app, agent) in [(first.clone(), a.clone()), (second.clone(), b.clone())] {
            tasks.push(tokio::spawn(async move {
                let title = format!("Concurrent event {round}");
                let created = app
                    .post_as(&agent, "/events/new", &event_fields(&[("title", title.as_str())]))
                    .await;
                // An edit of an actor and a status change that read before they write.
                let version = support::editing::actor_version(&app, 3).await;
                let actor = app
                    .post_as(
                        &agent,
                        "/actors/3/edit",
                        &[
                            ("name", "Viktor Khrenin"),
                            ("kind", "person"),
                            ("iso_code", ""),
                            ("country", "BY"),
                            ("description", &format!("Round {round}")),
                            ("aliases", "Виктор Хренин"),
                            ("version", &version),
                            ("edit_summary", ""),
                        ],
                    )
                    .await;
                let event_version = version_of(&app, 1).await;
                let action = if round % 2 == 0 { "unpublish" } else { "publish" };
                let status = app
                    .post_as(
                        &agent,
                        "/events/1/status",
                        &[("action", action), ("version", &event_version)],
                    )
                    .await;
                [created.status, actor.status, status.status]
            }));
        }
    }
    let mut saved = 0;
    for task in tasks {
        for status in task.await.expect("task") {
            // A save lands (303), meets a newer version (409), or asks for a status the
            // event no longer has (422); never a database error.
            assert!(
                matches!(status.as_u16(), 303 | 409 | 422),
                "a concurrent save answered {status}"
            );
            saved += usize::from(status == StatusCode::SEE_OTHER);
        }
    }
    assert!(saved >= 24, "every new event was saved, and more: {saved}");
    let titles = first.app.db.event_count().await.expect("count");
    assert!(titles >= 24, "{titles}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_lock_held_by_another_program_is_a_503_and_healthz_says_so() {
    use sqlx::Connection;
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = signed_in(&app).await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);

    // Another program opens the file and holds its write lock.
    let url = format!("sqlite://{}", app.database().display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("locks");

    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    health.assert_contains("writes blocked");
    let saved = app
        .post_as(
            &eddie,
            "/events/new",
            &event_fields(&[("title", "Written while locked")]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SERVICE_UNAVAILABLE, "{}", saved.body);
    saved.assert_contains("The database was busy");
    saved.assert_contains("Written while locked");
    // Readers still read.
    assert_eq!(app.get("/events/1").await.status, StatusCode::PERMANENT_REDIRECT);

    sqlx::query("ROLLBACK")
        .execute(&mut other)
        .await
        .expect("unlocks");
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let saved = app
        .post_as(
            &eddie,
            "/events/new",
            &event_fields(&[("title", "Written once unlocked")]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn anonymous_visitors_store_no_session_and_keep_the_page_cache() {
    use sqlx::Connection;
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let url = format!("sqlite://{}", app.database().display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    for _ in 0..20 {
        let form = app.get("/login").await;
        assert_eq!(form.status, StatusCode::OK);
    }
    // A wrong password, too, stores nothing but the counted failure.
    let refused = app.try_sign_in("Eddie", "not the password").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(sessions(&mut db).await, 0, "visitors left sessions behind");
    // Signing in stores one.
    let eddie = signed_in(&app).await;
    assert_eq!(sessions(&mut db).await, 1);
    assert!(!eddie.cookie.is_empty());
}

/// How many sessions the database holds.
async fn sessions(db: &mut sqlx::SqliteConnection) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tower_sessions")
        .fetch_one(db)
        .await
        .expect("count")
}

/// The hidden fields of the first form on a page that posts to `action`, unescaped.
fn hidden_fields(page: &support::Page, action: &str) -> Vec<(String, String)> {
    let unescape = |text: &str| {
        text.replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&#38;", "&")
    };
    let start = page.position(&format!(r#"action="{action}""#));
    let end = page.body[start..].find("</form>").expect("form ends") + start;
    page.body[start..end]
        .split(r#"<input type="hidden" name=""#)
        .skip(1)
        .filter_map(|chunk| {
            let (name, rest) = chunk.split_once(r#"" value=""#)?;
            let value = rest.split_once('"')?.0;
            Some((unescape(name), unescape(value)))
        })
        .collect()
}

/// Posts a form as a browser on one of entente's pages does.
async fn post_from_page(
    app: &TestApp,
    cookie: &str,
    uri: &str,
    fields: &[(String, String)],
) -> support::Page {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.send(
        axum::http::Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("cookie", cookie)
            .body(axum::body::Body::from(support::form_body(&borrowed)))
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn a_form_sent_after_its_session_ended_comes_back_whole_and_saves_after_signing_in() {
    use support::editing::edit_fields;
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = signed_in(&app).await;
    let mut form = edit_fields(
        &app,
        1,
        &[
            ("title", "Iran & Belarus <sign> the MOU"),
            ("summary", "Line one\nLine two"),
        ],
    )
    .await;
    form.push(("csrf_token".to_owned(), eddie.csrf.clone()));
    // Signed out in another tab.
    let out = app.post_as(&eddie, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);

    let page = post_from_page(&app, &eddie.cookie, "/events/1/edit", &form).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    page.assert_contains("You were signed out");
    page.assert_contains("Iran &#38; Belarus &#60;sign&#62; the MOU");
    let signin_cookie = support::signin_cookie(&page).expect("a sign-in token");
    let mut sign_in = hidden_fields(&page, "/login");
    assert!(
        sign_in
            .iter()
            .any(|(k, v)| k == "resume_to" && v == "/events/1/edit")
    );
    sign_in.extend([
        ("name".to_owned(), "Eddie".to_owned()),
        ("password".to_owned(), PASSWORD.to_owned()),
    ]);
    let resumed = post_from_page(&app, &signin_cookie, "/login", &sign_in).await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.body);
    resumed.assert_contains("Signed in: your form is kept");
    let session = support::session_cookie(&resumed).expect("signed in");
    let again = hidden_fields(&resumed, "/events/1/edit");
    assert!(
        again
            .iter()
            .any(|(k, v)| k == "summary" && v.contains("Line two")),
        "{again:?}"
    );
    let saved = post_from_page(&app, &session, "/events/1/edit", &again).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let event = app.app.db.event(1).await.expect("query").expect("event");
    assert_eq!(event.event.title, "Iran & Belarus <sign> the MOU");

    // A request that does not say it comes from entente's pages gets no such page: a
    // forged form never turns into one with a valid token in it.
    let forged = app
        .post_form(Some(&session), "/events/1/edit", &[("title", "Forged")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    forged.assert_lacks("Send again");
    forged.assert_lacks("Forged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_that_meets_a_locked_database_comes_back_ready_to_send_again() {
    use sqlx::Connection;
    use support::editing::edit_fields;
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = signed_in(&app).await;
    let mut form = edit_fields(&app, 1, &[("title", "Saved after the lock")]).await;
    form.push(("csrf_token".to_owned(), eddie.csrf.clone()));
    let url = format!("sqlite://{}", app.database().display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("locks");
    let page = post_from_page(&app, &eddie.cookie, "/events/1/edit", &form).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    page.assert_contains("nothing was saved");
    page.assert_contains("Send again");
    sqlx::query("ROLLBACK")
        .execute(&mut other)
        .await
        .expect("unlocks");
    let again = hidden_fields(&page, "/events/1/edit");
    let saved = post_from_page(&app, &eddie.cookie, "/events/1/edit", &again).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let event = app.app.db.event(1).await.expect("query").expect("event");
    assert_eq!(event.event.title, "Saved after the lock");
}

/// Submits the sign-in form as a browser at `address` would.
async fn sign_in_from(app: &TestApp, address: &str, name: &str, password: &str) -> support::Page {
    sign_in_through(app, address, &[], name, password).await
}

/// The same, through a proxy that adds `forwarded_for` (X-Forwarded-For).
async fn sign_in_through(
    app: &TestApp,
    address: &str,
    forwarded_for: &[&str],
    name: &str,
    password: &str,
) -> support::Page {
    let visitor = app.visit_login().await;
    let peer: std::net::SocketAddr = format!("{address}:40000").parse().expect("address");
    let mut request = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &visitor.cookie)
        .extension(axum::extract::ConnectInfo(peer));
    for hop in forwarded_for {
        request = request.header("x-forwarded-for", *hop);
    }
    let body = support::form_body(&[
        ("csrf_token", &visitor.csrf),
        ("name", name),
        ("password", password),
        ("next", "/"),
    ]);
    app.send(request.body(axum::body::Body::from(body)).expect("request"))
        .await
}

#[tokio::test]
async fn strangers_failing_against_a_name_never_lock_its_owner_out() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    app.add_user("Olga", "editor", PASSWORD).await;
    let office = "192.0.2.10";
    let signed_in = sign_in_from(&app, office, "Eddie", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);

    // Sixty strangers fail against Eddie's name, and someone at the office tries twelve
    // other names.
    for n in 0..60 {
        let page = sign_in_from(&app, &format!("198.51.100.{n}"), "Eddie", "a wrong guess").await;
        assert!(matches!(page.status.as_u16(), 401 | 429), "{}", page.status);
    }
    for n in 0..12 {
        sign_in_from(&app, office, &format!("someone{n}"), "a wrong guess").await;
    }
    // Eddie, at the office where he signed in before, is not held back.
    let owner = sign_in_from(&app, office, "Eddie", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.body);
    // From an address he never used, the wider limits apply: the name was tried too often.
    let elsewhere = sign_in_from(&app, "203.0.113.7", "Eddie", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::TOO_MANY_REQUESTS);
    // Olga never signed in at the office: its many failures hold her back there.
    let olga = sign_in_from(&app, office, "Olga", PASSWORD).await;
    assert_eq!(olga.status, StatusCode::TOO_MANY_REQUESTS);
    // Forgetting the name's failures (an admin's unlock) lets Eddie in from anywhere.
    let cleared = app.app.db.clear_login_failures("eddie").await.expect("cleared");
    assert!(cleared >= 20, "{cleared}");
    let elsewhere = sign_in_from(&app, "203.0.113.7", "Eddie", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    // His own failures at a known address still slow him down.
    for _ in 0..3 {
        sign_in_from(&app, office, "Eddie", "his own typo").await;
    }
    let slowed = sign_in_from(&app, office, "Eddie", PASSWORD).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_throttle_counts_the_client_not_the_proxy() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = entente::Config::for_database(dir.path().join("test.sqlite3"));
    config.demo_data = false;
    config.trusted_proxies = vec!["10.0.0.1".parse().expect("ip")];
    let app = TestApp {
        app: entente::build(&config).await.expect("app"),
        dir,
    };
    app.add_user("Eddie", "editor", PASSWORD).await;
    // A client's own X-Forwarded-For entry on the left is not believed; the proxy's is.
    sign_in_through(&app, "10.0.0.1", &["6.6.6.6, 192.0.2.44"], "Eddie", "wrong").await;
    // From an untrusted peer, the header is ignored.
    sign_in_through(&app, "198.51.100.9", &["192.0.2.99"], "Eddie", "wrong").await;
    // An entry that is no address stops the walk: what lies left of it is not believed.
    sign_in_through(&app, "10.0.0.1", &["6.6.6.6, unknown"], "Eddie", "wrong").await;
    // An IPv6 client counts by its /64.
    sign_in_through(&app, "[2001:db8:1:2::5]", &[], "Eddie", "wrong").await;
    let url = format!("sqlite://{}", app.database().display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    let addresses: Vec<String> = sqlx::query_scalar("SELECT address FROM login_failures ORDER BY id")
        .fetch_all(&mut db)
        .await
        .expect("failures");
    assert_eq!(
        addresses,
        ["192.0.2.44", "198.51.100.9", "10.0.0.1", "2001:db8:1:2::/64"]
    );
}

/// Values a careless paste or a hostile client sends.
fn hostile_values() -> Vec<String> {
    [
        "\u{0}",
        "%00",
        "<x-hostile>",
        "\"><x-hostile>",
        "'; DROP TABLE events; --",
        "abc\u{202E}cba",
        "\u{200B}\u{FEFF}",
        "javascript:alert(1)",
        "../../etc/passwd",
        "２０２３",
        "2023-02-30",
        "9999999999999999999999",
        "-1",
        " ",
        "🚀 Хренин عزیز",
        "line\nbreak",
    ]
    .iter()
    .map(|v| (*v).to_owned())
    .chain([format!("<x-hostile>{}", "y".repeat(20_000))])
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_values_in_every_field_never_give_a_500_or_reach_a_page_unescaped() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = signed_in(&app).await;
    let event_fields_named = [
        "title",
        "date",
        "date_note",
        "place",
        "location_country",
        "summary",
        "tags",
        "event_type",
        "agreement_kind",
        "p_actor",
        "p_role",
        "p_title",
        "p_kind",
        "s_outlet",
        "s_title",
        "s_url",
        "s_published",
        "s_passage",
        "s_claimed",
        "s_claims",
        "s_note",
        "edit_summary",
    ];
    let mut answered = std::collections::BTreeMap::new();
    for value in hostile_values() {
        for field in event_fields_named {
            let mut fields = event_fields(&[]);
            fields.retain(|(name, _)| *name != field);
            fields.push((field, value.as_str()));
            let page = app.post_as(&eddie, "/events/new", &fields).await;
            assert!(
                matches!(page.status.as_u16(), 200 | 303 | 409 | 413 | 422),
                "{field} = {value:?}: {}",
                page.status
            );
            *answered.entry(page.status.as_u16()).or_insert(0) += 1;
        }
        let version = support::editing::actor_version(&app, 3).await;
        for field in [
            "name",
            "iso_code",
            "country",
            "description",
            "aliases",
            "edit_summary",
        ] {
            let mut fields = vec![
                ("name", "Viktor Khrenin"),
                ("kind", "person"),
                ("iso_code", ""),
                ("country", "BY"),
                ("description", ""),
                ("aliases", ""),
                ("version", version.as_str()),
                ("edit_summary", ""),
            ];
            fields.retain(|(name, _)| *name != field);
            fields.push((field, value.as_str()));
            let page = app.post_as(&eddie, "/actors/3/edit", &fields).await;
            assert!(
                matches!(page.status.as_u16(), 303 | 409 | 413 | 422),
                "actor {field} = {value:?}: {}",
                page.status
            );
        }
    }
    assert!(
        answered.get(&303).is_some_and(|n| *n > 10),
        "some hostile values are fine text: {answered:?}"
    );
    // Whatever was stored, no page shows it unescaped.
    let mut pages = vec![
        "/".to_owned(),
        "/actors".to_owned(),
        "/tags".to_owned(),
        "/outlets".to_owned(),
        "/?status=draft".to_owned(),
        "/changes".to_owned(),
    ];
    let drafts = app.get_as(&eddie, "/?status=draft&limit=500").await;
    for chunk in drafts.body.split("href=\"/events/").skip(1) {
        let id: String = chunk.chars().take_while(char::is_ascii_digit).collect();
        if !id.is_empty() {
            pages.push(format!("/events/{id}"));
        }
    }
    for uri in pages {
        let page = app.get_as(&eddie, &uri).await;
        let page = if page.status == StatusCode::PERMANENT_REDIRECT {
            app.get_as(&eddie, page.location().expect("location")).await
        } else {
            page
        };
        assert!(page.status.as_u16() < 500, "{uri}: {}", page.status);
        page.assert_lacks("<x-hostile>");
    }
}

#[tokio::test]
async fn an_editor_whose_session_was_ended_signs_in_again_from_the_same_browser() {
    let app = fixture_app().await;
    let user = app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = signed_in(&app).await;
    // An admin resets the password: the session ends.
    let hash = entente::auth::hash_password("a new long password").expect("hash");
    app.app.db.set_password_hash(user.id, &hash).await.expect("reset");
    let ended = app.get_with_cookie(&eddie.cookie, "/changes").await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "signed out");
    // The same browser, its old session cookie still sent, signs in with the new password.
    let form = app.get_with_cookie(&eddie.cookie, "/login").await;
    let token = support::csrf_in(&form);
    let cookies = format!(
        "{}; {}",
        eddie.cookie,
        support::signin_cookie(&form).expect("token cookie")
    );
    let fields = [
        ("csrf_token".to_owned(), token),
        ("name".to_owned(), "Eddie".to_owned()),
        ("password".to_owned(), "a new long password".to_owned()),
        ("next".to_owned(), "/changes".to_owned()),
    ];
    let page = post_from_page(&app, &cookies, "/login", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), Some("/changes"));
}

#[tokio::test]
async fn a_form_planted_in_the_sign_in_is_never_offered_to_send() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let visitor = app.visit_login().await;
    let page = app
        .post_as(
            &visitor,
            "/login",
            &[
                ("name", "Eddie"),
                ("password", PASSWORD),
                ("next", "/"),
                ("resume_to", "/admin/users/1/role"),
                ("resume_body", "role=admin"),
                ("resume_sig", "0000"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "signed in, nothing resumed: {}",
        page.body
    );
    assert_eq!(page.location(), Some("/"));
}

#[tokio::test]
async fn sign_out_from_a_page_older_than_the_session_still_signs_out() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = signed_in(&app).await;
    let stale = [(
        "csrf_token".to_owned(),
        "a token of an earlier session".to_owned(),
    )];
    let page = post_from_page(&app, &eddie.cookie, "/logout", &stale).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let after = app.get_with_cookie(&eddie.cookie, "/changes").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_during_saves_restores_every_acknowledged_save() {
    let app = std::sync::Arc::new(fixture_app().await);
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = signed_in(&app).await;
    // Saves acknowledged before the backup starts must all be in it.
    let mut before = Vec::new();
    for n in 0..3 {
        let title = format!("Saved before the backup {n}");
        let page = app
            .post_as(&eddie, "/events/new", &event_fields(&[("title", title.as_str())]))
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        before.push(title);
    }
    // Others stream on while it is taken.
    let saving = {
        let (app, eddie) = (app.clone(), eddie.clone());
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..30 {
                let title = format!("Saved during the backup {n}");
                let page = app
                    .post_as(&eddie, "/events/new", &event_fields(&[("title", title.as_str())]))
                    .await;
                assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
                acknowledged.push(title);
            }
            acknowledged
        })
    };
    let copy = app.dir.path().join("backup.sqlite3");
    let report = app.app.db.backup_into(&copy).await.expect("backed up");
    let acknowledged_before_end = saving.await.expect("saves");
    assert!(report.events >= 10, "{report:?}");
    // A second backup to the same file is refused: nothing is overwritten.
    assert!(app.app.db.backup_into(&copy).await.is_err());

    // Restored (the copy opened as a server's database): consistent, and every event
    // in it whole, with its revision.
    let mut config = entente::Config::for_database(&copy);
    config.demo_data = false;
    let restored = entente::build(&config).await.expect("the copy opens");
    let count = restored.db.event_count().await.expect("count");
    assert_eq!(count, report.events);
    let mut titles = Vec::new();
    for id in 1..=count {
        if let Some(detail) = restored.db.event(id).await.expect("query") {
            titles.push(detail.event.title.clone());
            if detail.event.title.starts_with("Saved ") {
                let revisions = restored
                    .db
                    .revisions_of(entente::domain::Entity::Event, id)
                    .await
                    .expect("revisions");
                assert_eq!(revisions.len(), 1, "an event and its revision land together");
                assert!(!detail.citations.is_empty(), "an event lands with its sources");
            }
        }
    }
    for title in &before {
        assert!(titles.contains(title), "{title} is missing from the backup");
    }
    // Every save acknowledged during the backup is in the live database.
    assert_eq!(acknowledged_before_end.len(), 30);
    assert_eq!(app.app.db.event_count().await.expect("count"), 7 + 3 + 30);
}

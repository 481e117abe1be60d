//! Editors' event forms, in-process: creating drafts, validation beside the fields, the
//! date preview, publishing, retracting and restoring, revisions, and stale saves.

mod support;

use axum::http::StatusCode;
use support::{Agent, TestApp, fixture_app};

const PASSWORD: &str = "editor password 1";

async fn app_with_editors() -> (TestApp, Agent) {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    app.add_user("Olga", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    (app, eddie)
}

/// A complete, valid form for a new event, with `changes` applied.
fn event_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("title", "Belarusian delegation tours a drone plant in Isfahan"),
        ("event_type", "visit"),
        ("agreement_kind", ""),
        ("date", "2024-03"),
        ("date_note", "Reported on 2 April; the visit was in March."),
        ("place", "Isfahan"),
        ("location_country", "IR"),
        ("summary", "The delegation *toured* the plant."),
        ("tags", "drones, Industry"),
        ("edit_summary", "From the BelTA report"),
    ];
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => fields.push((key, value)),
        }
    }
    fields
}

/// Follows a redirect to the event and its canonical address, as the editor.
async fn open_event(app: &TestApp, agent: &Agent, location: &str) -> support::Page {
    let page = app.get_as(agent, location).await;
    match page.status {
        StatusCode::PERMANENT_REDIRECT => app.get_as(agent, page.location().expect("location")).await,
        _ => page,
    }
}

/// The id in `/events/{id}…`.
fn event_id(location: &str) -> i64 {
    location
        .trim_start_matches("/events/")
        .split('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("an event address")
}

async fn version_of(app: &TestApp, id: i64) -> String {
    let detail = app.app.db.event(id).await.expect("query").expect("event");
    detail.event.version.to_string()
}

#[tokio::test]
async fn an_editor_creates_a_draft_that_readers_see_once_it_is_published() {
    let (app, eddie) = app_with_editors().await;
    let form = app.get_as(&eddie, "/events/new").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("<h1>New event</h1>");
    assert_eq!(
        app.get("/events/new").await.status,
        StatusCode::SEE_OTHER,
        "readers sign in first"
    );

    let saved = app.post_as(&eddie, "/events/new", &event_fields(&[])).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let location = saved.location().expect("location").to_owned();
    let id = event_id(&location);
    let page = open_event(&app, &eddie, &location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("Saved as a draft");
    page.assert_contains("<strong>Draft.</strong>");
    page.assert_contains("Belarusian delegation tours a drone plant in Isfahan");
    page.assert_contains("<em>toured</em>");
    page.assert_contains(r#"href="/tags/industry""#);
    let again = open_event(&app, &eddie, &location).await;
    again.assert_lacks("Saved as a draft");

    assert_eq!(
        app.get(&format!("/events/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    app.get("/").await.assert_lacks("Belarusian delegation tours");

    let version = version_of(&app, id).await;
    let published = app
        .post_as(
            &eddie,
            &format!("/events/{id}/status"),
            &[("action", "publish"), ("version", &version)],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let page = open_event(&app, &eddie, &format!("/events/{id}")).await;
    page.assert_contains("Published: readers can see it now.");
    page.assert_lacks("status-banner");
    let reader = app.get(&format!("/events/{id}")).await;
    assert_eq!(reader.status, StatusCode::PERMANENT_REDIRECT);
    app.get("/")
        .await
        .assert_contains("Belarusian delegation tours a drone plant in Isfahan");
    app.get("/?q=isfahan").await.assert_contains("1 matching events");
}

#[tokio::test]
async fn refused_fields_are_explained_beside_them_with_the_input_kept() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event_count().await.expect("count");
    let page = app
        .post_as(
            &eddie,
            "/events/new",
            &event_fields(&[
                ("title", "  "),
                ("date", "2023-13"),
                ("agreement_kind", "mou"),
                ("location_country", "ZZ"),
                ("tags", &"x".repeat(61)),
            ]),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    page.assert_contains("The event was not saved");
    page.assert_contains(r#"<p class="field-error" id="title-error">Give the event a title.</p>"#);
    page.assert_contains(r#"id="date-error""#);
    page.assert_contains(r#"value="2023-13""#);
    page.assert_contains("Only agreements have a kind");
    page.assert_contains("There is no country with the code “ZZ”.");
    page.assert_contains("is too long for a tag");
    page.assert_contains(r#"aria-invalid="true""#);
    page.assert_contains(r##"<a href="#date">"##);
    // The rest of the input is kept as typed.
    page.assert_contains(r#"value="Reported on 2 April; the visit was in March.""#);
    page.assert_contains("The delegation *toured* the plant.</textarea>");
    assert_eq!(
        app.app.db.event_count().await.expect("count"),
        before,
        "nothing saved"
    );
}

#[tokio::test]
async fn the_date_preview_shows_how_a_date_will_read_without_saving() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event_count().await.expect("count");
    for (typed, shown) in [
        ("2023-05~", "May 2023"),
        ("2023-06/2023-07-31", "2023-06-01 to 2023-07-31"),
        ("2023", "from 2023-01-01 to 2023-12-31"),
    ] {
        let page = app
            .post_as(
                &eddie,
                "/events/new",
                &event_fields(&[("date", typed), ("preview", "1")]),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{typed}: {}", page.body);
        page.assert_contains("Shown as <strong>");
        page.assert_contains(shown);
        page.assert_contains(&format!(r#"value="{typed}""#));
    }
    assert_eq!(
        app.app.db.event_count().await.expect("count"),
        before,
        "a preview saves nothing"
    );
}

#[tokio::test]
async fn a_stale_save_shows_both_versions_saves_nothing_and_can_be_merged() {
    let (app, eddie) = app_with_editors().await;
    let olga = app.sign_in("Olga", PASSWORD).await;
    let form = app.get_as(&olga, "/events/1/edit").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form.assert_contains(r#"value="Iran and Belarus sign defense MOU in Tehran""#);
    let loaded = version_of(&app, 1).await;
    form.assert_contains(&format!(r#"name="version" value="{loaded}""#));

    let first = app
        .post_as(
            &eddie,
            "/events/1/edit",
            &event_fields(&[
                ("title", "Iran and Belarus sign a defense MOU in Tehran"),
                ("event_type", "agreement"),
                ("agreement_kind", "mou"),
                ("date", "2023-07-31"),
                ("version", &loaded),
                ("edit_summary", "Article added"),
            ]),
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);

    let stale = app
        .post_as(
            &olga,
            "/events/1/edit",
            &event_fields(&[
                ("title", "Iran and Belarus sign defence MOU"),
                ("event_type", "agreement"),
                ("agreement_kind", "mou"),
                ("date", "2023-07-31"),
                ("version", &loaded),
            ]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    stale.assert_contains("Eddie saved this event while you were editing it");
    stale.assert_contains("noted as “Article added”");
    stale.assert_contains("<td>Iran and Belarus sign a defense MOU in Tehran</td>");
    stale.assert_contains("<td>Iran and Belarus sign defence MOU</td>");
    stale.assert_contains(r#"value="Iran and Belarus sign defence MOU""#);
    let current = version_of(&app, 1).await;
    assert_ne!(current, loaded);
    stale.assert_contains(&format!(r#"name="version" value="{current}""#));
    let title = app
        .app
        .db
        .event(1)
        .await
        .expect("query")
        .expect("event")
        .event
        .title;
    assert_eq!(
        title, "Iran and Belarus sign a defense MOU in Tehran",
        "the stale save wrote nothing"
    );

    // Olga merges and saves again, on the version she has now seen.
    let merged = app
        .post_as(
            &olga,
            "/events/1/edit",
            &event_fields(&[
                ("title", "Iran and Belarus sign a defence MOU in Tehran"),
                ("event_type", "agreement"),
                ("agreement_kind", "mou"),
                ("date", "2023-07-31"),
                ("version", &current),
            ]),
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let title = app
        .app
        .db
        .event(1)
        .await
        .expect("query")
        .expect("event")
        .event
        .title;
    assert_eq!(title, "Iran and Belarus sign a defence MOU in Tehran");
}

#[tokio::test]
async fn an_edit_keeps_sources_and_participants_and_reaches_search_and_the_timeline() {
    let (app, eddie) = app_with_editors().await;
    let version = version_of(&app, 1).await;
    let saved = app
        .post_as(
            &eddie,
            "/events/1/edit",
            &event_fields(&[
                ("title", "Zebracorn memorandum signed in Tehran"),
                ("event_type", "agreement"),
                ("agreement_kind", "mou"),
                ("date", "2023-07-31"),
                ("version", &version),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = open_event(&app, &eddie, "/events/1").await;
    page.assert_contains("Zebracorn memorandum signed in Tehran");
    page.assert_contains("The Cradle");
    page.assert_contains("Viktor Khrenin");
    let reader = app.get("/?q=zebracorn").await;
    reader.assert_contains("1 matching events");
    app.get("/").await.assert_contains("Zebracorn memorandum");
    // The old slug still leads to the event.
    let old = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        old.location(),
        Some("/events/1/zebracorn-memorandum-signed-in-tehran")
    );
}

#[tokio::test]
async fn every_change_is_a_revision_in_the_history() {
    let (app, eddie) = app_with_editors().await;
    let saved = app.post_as(&eddie, "/events/new", &event_fields(&[])).await;
    let id = event_id(saved.location().expect("location"));
    let olga = app.sign_in("Olga", PASSWORD).await;
    let v1 = version_of(&app, id).await;
    let edit = app
        .post_as(
            &olga,
            &format!("/events/{id}/edit"),
            &event_fields(&[
                ("date", "2024-03-12"),
                ("version", &v1),
                ("edit_summary", "Day from the ministry"),
            ]),
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    let v2 = version_of(&app, id).await;
    app.post_as(
        &eddie,
        &format!("/events/{id}/status"),
        &[("action", "publish"), ("version", &v2)],
    )
    .await;
    let v3 = version_of(&app, id).await;
    app.post_as(
        &eddie,
        &format!("/events/{id}/status"),
        &[
            ("action", "retract"),
            ("reason", "The plant is elsewhere"),
            ("version", &v3),
        ],
    )
    .await;

    let history = app.get_as(&eddie, &format!("/events/{id}/history")).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    for expected in [
        "<td>Created (draft)</td>",
        "<td>Edited (draft)</td>",
        "<td>Published</td>",
        "<td>Retracted (retracted)</td>",
        "Day from the ministry",
        "From the BelTA report",
        "The plant is elsewhere",
        "<td>Olga</td>",
        "12 Mar 2024",
    ] {
        history.assert_contains(expected);
    }
    assert!(
        history.position("Retracted (retracted)") < history.position("Created (draft)"),
        "newest first"
    );
    let revisions = app.app.db.event_revisions(id).await.expect("revisions");
    assert_eq!(revisions.len(), 4);
    let snapshot: serde_json::Value = serde_json::from_str(&revisions[3].snapshot).expect("json");
    assert_eq!(
        snapshot["title"],
        "Belarusian delegation tours a drone plant in Isfahan"
    );
    assert_eq!(snapshot["tags"], serde_json::json!(["drones", "industry"]));
    assert_eq!(snapshot["location_country"], "Iran");
    // The fixture's events keep their participants and sources in a snapshot too.
    let v = version_of(&app, 1).await;
    app.post_as(
        &eddie,
        "/events/1/status",
        &[("action", "unpublish"), ("version", &v)],
    )
    .await;
    let first = &app.app.db.event_revisions(1).await.expect("revisions")[0];
    let snapshot: serde_json::Value = serde_json::from_str(&first.snapshot).expect("json");
    assert_eq!(snapshot["status"], "draft");
    assert!(
        snapshot["actors"].as_array().is_some_and(|a| !a.is_empty()),
        "{snapshot}"
    );
    assert_eq!(snapshot["citations"][0]["outlet"], "The Cradle");

    assert_eq!(
        app.get(&format!("/events/{id}/history")).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_retraction_needs_a_reason_readers_see_it_and_it_can_be_undone() {
    let (app, eddie) = app_with_editors().await;
    let version = version_of(&app, 1).await;
    let status = "/events/1/status";
    let no_reason = app
        .post_as(
            &eddie,
            status,
            &[("action", "retract"), ("reason", " "), ("version", &version)],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("Say why the event is retracted");
    let done = app
        .post_as(
            &eddie,
            status,
            &[
                ("action", "retract"),
                ("reason", "Sources withdrew the report"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let reader = app.get("/events/1").await;
    assert_eq!(reader.status, StatusCode::GONE);
    reader.assert_contains("Sources withdrew the report");
    app.get("/")
        .await
        .assert_lacks("Iran and Belarus sign defense MOU in Tehran");

    // An old form (the version before the retraction) cannot act again.
    let stale = app
        .post_as(&eddie, status, &[("action", "unpublish"), ("version", &version)])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // Publishing a retracted event directly is refused: it is restored as a draft first.
    let current = version_of(&app, 1).await;
    let wrong = app
        .post_as(&eddie, status, &[("action", "publish"), ("version", &current)])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("This event is retracted, so it cannot be published.");

    let restored = app
        .post_as(&eddie, status, &[("action", "restore"), ("version", &current)])
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/events/1").await.status,
        StatusCode::NOT_FOUND,
        "a draft again"
    );
    let v = version_of(&app, 1).await;
    app.post_as(&eddie, status, &[("action", "publish"), ("version", &v)])
        .await;
    assert_eq!(app.get("/events/1").await.status, StatusCode::PERMANENT_REDIRECT);
}

#[tokio::test]
async fn event_forms_need_the_session_token_and_an_account() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event_count().await.expect("count");
    let fields = event_fields(&[]);
    let forged = app.post_form(Some(&eddie.cookie), "/events/new", &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let anonymous = app.post_form(None, "/events/new", &fields).await;
    assert_eq!(anonymous.status, StatusCode::FORBIDDEN);
    assert_eq!(app.app.db.event_count().await.expect("count"), before);
    let v = version_of(&app, 1).await;
    let status = app
        .post_form(
            Some(&eddie.cookie),
            "/events/1/status",
            &[("action", "retract"), ("reason", "x"), ("version", &v)],
        )
        .await;
    assert_eq!(status.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/events/1").await.status, StatusCode::PERMANENT_REDIRECT);
}

#[tokio::test]
async fn hostile_markdown_in_a_summary_never_reaches_the_page() {
    let (app, eddie) = app_with_editors().await;
    for summary in [
        "<script>alert(1)</script> <img src=x onerror=alert(3)>",
        "A [click](javascript:alert(2)) and [a source](https://example.org/report).",
    ] {
        let saved = app
            .post_as(&eddie, "/events/new", &event_fields(&[("summary", summary)]))
            .await;
        let page = open_event(&app, &eddie, saved.location().expect("location")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_lacks("<script>alert");
        page.assert_lacks("onerror");
        page.assert_lacks(r#"href="javascript:"#);
        if summary.contains("a source") {
            page.assert_contains(
                r#"<a href="https://example.org/report" rel="noopener noreferrer nofollow">a source</a>"#,
            );
        }
    }
}

#[tokio::test]
async fn editing_an_unknown_event_is_a_404_and_a_form_without_version_a_400() {
    let (app, eddie) = app_with_editors().await;
    assert_eq!(
        app.get_as(&eddie, "/events/999/edit").await.status,
        StatusCode::NOT_FOUND
    );
    let missing = app
        .post_as(&eddie, "/events/999/edit", &event_fields(&[("version", "1")]))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let no_version = app.post_as(&eddie, "/events/1/edit", &event_fields(&[])).await;
    assert_eq!(no_version.status, StatusCode::BAD_REQUEST);
    no_version.assert_contains("which version it was loaded from");
}

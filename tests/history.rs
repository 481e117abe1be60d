//! Revisions, in-process: an event's history, comparing any two versions, bringing an
//! earlier version back, and the recent changes across the site.

mod support;

use axum::http::StatusCode;
use support::editing::{borrowed, edit_fields, event_fields, event_id, open_event, version_of};
use support::{Agent, TestApp, fixture_app};

const PASSWORD: &str = "editor password 1";

async fn app_with_editor() -> (TestApp, Agent) {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    (app, eddie)
}

/// Edits event 1 through its form: a new title and passage, one source removed.
async fn edit_event_one(app: &TestApp, eddie: &Agent) {
    let mut form = edit_fields(
        app,
        1,
        &[
            ("title", "Iran and Belarus sign a roadmap in Tehran"),
            ("tags", "drones, roadmap"),
            ("edit_summary", "Retitled after the ministry's statement"),
        ],
    )
    .await;
    let second = app
        .app
        .db
        .event(1)
        .await
        .expect("query")
        .expect("event")
        .citations[1]
        .id;
    form.push(("s_remove".to_owned(), second.to_string()));
    let saved = app.post_as(eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn the_history_starts_from_the_loaded_event_and_compares_versions_field_by_field() {
    let (app, eddie) = app_with_editor().await;
    let empty = app.get_as(&eddie, "/events/1/history").await;
    empty.assert_contains("No revisions are recorded yet");
    let loaded = version_of(&app, 1).await;
    edit_event_one(&app, &eddie).await;
    let edited = version_of(&app, 1).await;

    let history = app.get_as(&eddie, "/events/1/history").await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    history.assert_contains("As loaded from the dataset");
    history.assert_contains("Retitled after the ministry");
    let compare = format!("/events/1/compare?from={loaded}&#38;to={edited}");
    history.assert_contains(&compare);

    let page = app
        .get_as(&eddie, &format!("/events/1/compare?from={loaded}&to={edited}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("3 field(s) differ");
    page.assert_contains("<del><span class=\"visually-hidden\">Only in version");
    page.assert_contains("Iran and Belarus sign defense MOU in Tehran</del>");
    page.assert_contains("Iran and Belarus sign a roadmap in Tehran</ins>");
    page.assert_contains("roadmap</ins>");
    // The removed source appears only on the left, with its claims.
    assert!(
        page.position("Title") < page.position("Place"),
        "changed fields first"
    );
    page.assert_contains("Only in version");
    page.assert_contains(r#"<tr class="same">"#);

    let bad = app.get_as(&eddie, "/events/1/compare?from=99&to=1").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    bad.assert_contains("This event has no version 99.");
    let missing = app.get_as(&eddie, "/events/1/compare?from=1").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/events/1/compare?from=1&to=2").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn bringing_back_a_version_restores_its_content_as_a_new_revision() {
    let (app, eddie) = app_with_editor().await;
    let before = app.app.db.event(1).await.expect("query").expect("event");
    let loaded = before.event.version.to_string();
    edit_event_one(&app, &eddie).await;
    let current = version_of(&app, 1).await;

    let stale = app
        .post_as(
            &eddie,
            "/events/1/revert",
            &[("from_version", &loaded), ("version", &loaded)],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "a form older than the event");

    let done = app
        .post_as(
            &eddie,
            "/events/1/revert",
            &[("from_version", &loaded), ("version", &current)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = open_event(&app, &eddie, "/events/1").await;
    page.assert_contains(&format!(
        "The content of version {loaded} is back, as a new version."
    ));
    let after = app.app.db.event(1).await.expect("query").expect("event");
    assert_eq!(after.event.title, before.event.title);
    assert_eq!(after.event.status, "published", "the status stays");
    assert_eq!(after.tags, before.tags);
    assert_eq!(after.citations.len(), before.citations.len());
    let claims = |d: &entente::store::events::EventDetail| {
        d.citations
            .iter()
            .map(|c| (c.source.id, c.passage.clone(), c.claims.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        claims(&after),
        claims(&before),
        "sources, passages and claims are back"
    );
    let participants = |d: &entente::store::events::EventDetail| {
        d.participants
            .iter()
            .map(|p| (p.actor.id, p.role.clone(), p.title.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(participants(&after), participants(&before));
    // Readers see the restored event, and search finds its old title again.
    app.get("/?q=roadmap").await.assert_contains("0 matching events");
    let history = app.get_as(&eddie, "/events/1/history").await;
    history.assert_contains("Earlier version brought back");
    history.assert_contains(&format!("Content of version {loaded} brought back"));
    assert_eq!(app.app.db.event_revisions(1).await.expect("revisions").len(), 3);
}

#[tokio::test]
async fn recent_changes_list_the_latest_saves_for_editors_only() {
    let (app, eddie) = app_with_editor().await;
    let none = app.get_as(&eddie, "/changes").await;
    none.assert_contains("Nothing has been changed through the forms yet.");
    let saved = app.post_as(&eddie, "/events/new", &event_fields(&[])).await;
    let id = event_id(saved.location().expect("location"));
    edit_event_one(&app, &eddie).await;
    let page = app.get_as(&eddie, "/changes").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let newest = page.position("Iran and Belarus sign a roadmap in Tehran");
    let older = page.position("Belarusian delegation tours a drone plant in Isfahan");
    assert!(newest < older, "newest first");
    page.assert_contains(&format!(r#"<a href="/events/{id}">"#));
    page.assert_contains("Retitled after the ministry");
    page.assert_contains("<td>Eddie</td>");
    page.assert_contains("/events/1/compare?from=");
    assert_eq!(app.get("/changes").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn reverting_needs_the_session_token_and_a_known_version() {
    let (app, eddie) = app_with_editor().await;
    edit_event_one(&app, &eddie).await;
    let current = version_of(&app, 1).await;
    let forged = app
        .post_form(
            Some(&eddie.cookie),
            "/events/1/revert",
            &[("from_version", "1"), ("version", &current)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unknown = app
        .post_as(
            &eddie,
            "/events/1/revert",
            &[("from_version", "77"), ("version", &current)],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let malformed = app
        .post_as(
            &eddie,
            "/events/1/revert",
            &[("from_version", "x"), ("version", &current)],
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(version_of(&app, 1).await, current, "nothing changed");
}

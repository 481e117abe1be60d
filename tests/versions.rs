//! Citable versions: each saved version of a published event at its own address, from
//! its snapshot, with a banner naming the current version and what changed since; and
//! the event page's list of corrections.

use crate::support;

use axum::http::StatusCode;
use support::editing::{borrowed, edit_fields};
use support::fixture_app;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn each_saved_version_of_a_published_event_reads_as_it_was_and_corrections_link_them() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let fields = edit_fields(
        &app,
        1,
        &[
            ("title", "Iran and Belarus sign a defense MOU in Tehran"),
            ("edit_summary", "Corrected the title"),
        ],
    )
    .await;
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let slug = "iran-and-belarus-sign-a-defense-mou-in-tehran";

    // The event page: its corrections, and its own version's address to cite.
    let page = app.get(&format!("/events/1/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h2 id=\"corrections-heading\">Corrections</h2>");
    page.assert_contains(&format!(
        ": Corrected the title (<a href=\"/events/1/{slug}/v/2\">that version</a>)"
    ));
    page.assert_contains(&format!(
        "This version keeps its own address: <a href=\"/events/1/{slug}/v/2\">"
    ));

    // The version before reads as it was, and says what changed since.
    let before = app.get(&format!("/events/1/{slug}/v/1")).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    before.assert_contains("<h1>Iran and Belarus sign defense MOU in Tehran</h1>");
    before.assert_contains("You are reading <strong>version 1</strong>");
    before.assert_contains(&format!(
        "The current version is 2: <a href=\"/events/1/{slug}\">read it</a>."
    ));
    before.assert_contains("Changed since: Title.");
    before.assert_contains("Viktor Khrenin");
    let current = app.get(&format!("/events/1/{slug}/v/2")).await;
    current.assert_contains("It is the current version.");
    current.assert_contains("(“Corrected the title”)");

    // Old and wrong slugs lead to the version's canonical address; unknown versions are 404.
    let old = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran/v/1")
        .await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.location(), Some(format!("/events/1/{slug}/v/1").as_str()));
    assert_eq!(
        app.get(&format!("/events/1/{slug}/v/9")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/events/1/{slug}/v/x")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn versions_of_an_event_readers_cannot_read_are_not_shown_to_them() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    // The fixture's draft (event 6), edited: its versions are drafts.
    let fields = edit_fields(&app, 6, &[("edit_summary", "Checked")]).await;
    let saved = app.post_as(&eddie, "/events/6/edit", &borrowed(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let address = "/events/6/unverified-rumour-about-a-drone-plant/v/2";
    assert_eq!(app.get(address).await.status, StatusCode::NOT_FOUND);
    let as_editor = app.get_as(&eddie, address).await;
    assert_eq!(as_editor.status, StatusCode::OK, "{}", as_editor.body);
    // A published event's page lists no corrections before any change.
    app.get("/events/2/khrenin-visits-tehran")
        .await
        .assert_lacks("Corrections");
}

#[tokio::test]
async fn an_event_says_when_and_by_whom_it_was_first_reported() {
    let app = fixture_app().await;
    // The MOU cites The Cradle (2 August 2023) and an unnamed outlet (March 2025?).
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("<dt>First reported</dt>");
    page.assert_contains(
        "<dd>2 Aug 2023, by The Cradle (the earliest publication among the sources below)</dd>",
    );
    let api: serde_json::Value = serde_json::from_str(&app.get("/api/v1/events/1").await.body).expect("json");
    assert_eq!(api["first_reported"]["date"], "2023-08-02");
    assert_eq!(api["first_reported"]["source_id"], 1);
}

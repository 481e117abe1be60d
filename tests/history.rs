//! Revisions, in-process: an event's history, comparing any two versions, bringing an
//! earlier version back, and the recent changes across the site.

use crate::support;

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
    assert_eq!(after.event.status.as_str(), "published", "the status stays");
    assert_eq!(after.tags, before.tags);
    assert_eq!(after.citations.len(), before.citations.len());
    let claims = |d: &entente::store::events::EventDetail| {
        d.citations
            .iter()
            .map(|c| (c.source_id, c.passage.clone(), c.claims.len()))
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
    assert_eq!(
        app.app
            .db
            .revisions_of(entente::domain::Entity::Event, 1)
            .await
            .expect("revisions")
            .len(),
        3
    );
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

/// Schema 0: what revisions held before snapshots carried a schema number, as the SQL
/// that wrote them produced it (lists as JSON text in one place, null claims in another).
const SCHEMA_0_EVENT: &str = r#"{"title":"Iran and Belarus sign defense MOU in Tehran",
 "type":"agreement","agreement_kind":"mou","date":"2023-07-31","date_note":"",
 "place":"Tehran","location_country":"Iran","location_country_id":1,"summary":"An MOU.",
 "status":"published","status_reason":"","tags":"[\"drones\"]",
 "actors":[{"actor_id":3,"name":"Mohammad-Reza Ashtiani","role":"signatory","title":"Defense Minister"}],
 "citations":[{"source_id":2,"outlet":"The Cradle","source":"Iran, Belarus sign MOU",
   "passage":"signed a memorandum","claimed_date":"2023-06","note":"","claims":null}],
 "relations":[{"to_event_id":4,"relation":"follows_from","note":"","title":"A visit"}]}"#;

#[test]
fn a_snapshot_written_before_schema_numbers_still_loads() {
    use entente::domain::snapshot::decode;
    use entente::domain::{AgreementKind, Event, EventType, RelationKind};
    let event: Event = decode(SCHEMA_0_EVENT).expect("schema 0 loads");
    assert_eq!(event.event_type, EventType::Agreement);
    assert_eq!(event.agreement_kind, Some(AgreementKind::Mou));
    assert_eq!(event.date.edtf(), "2023-07-31");
    assert_eq!(event.tags, ["drones"]);
    assert_eq!(event.participants[0].title.as_deref(), Some("Defense Minister"));
    assert_eq!(event.citations[0].source_title, "Iran, Belarus sign MOU");
    assert_eq!(
        event.citations[0].claimed_date.as_ref().map(|d| d.edtf()),
        Some("2023-06".to_owned())
    );
    assert!(event.citations[0].claims.is_empty());
    assert_eq!(event.relations[0].relation, RelationKind::FollowsFrom);

    let actor: entente::domain::Actor = decode(
        r#"{"kind":"person","name":"Viktor Khrenin","iso_code":null,"country":"Belarus",
            "country_id":2,"description":"","aliases":["Виктор Хренин"]}"#,
    )
    .expect("an actor of schema 0");
    assert_eq!(actor.aliases, ["Виктор Хренин"]);
    let source: entente::domain::Source = decode(
        r#"{"outlet":"TASS","title":"T","url":null,"published":"2023-07-31","author":null,"notes":""}"#,
    )
    .expect("a source of schema 0");
    assert_eq!(source.published.map(|d| d.edtf()), Some("2023-07-31".to_owned()));
}

#[test]
fn snapshots_say_their_schema_and_refuse_newer_ones() {
    use entente::domain::Event;
    use entente::domain::snapshot::{SCHEMA, decode, encode};
    let event: Event = decode(SCHEMA_0_EVENT).expect("loads");
    let text = encode(&event).expect("encodes");
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(value["schema"], SCHEMA);
    assert_eq!(value["type"], "agreement", "stored texts, not Rust names");
    let newer = text.replace(&format!("\"schema\":{SCHEMA}"), "\"schema\":999");
    let refused = decode::<Event>(&newer).expect_err("a newer schema is refused");
    assert!(refused.to_string().contains("999"), "{refused}");
    assert!(decode::<Event>(r#"{"title":"no type"}"#).is_err());
}

#[tokio::test]
async fn every_record_survives_its_snapshot_unchanged() {
    use entente::domain::snapshot::{decode, encode};
    use entente::domain::{Actor, Entity, Event, Source};
    let (app, eddie) = app_with_editor().await;
    let db = &app.app.db;
    // Event 1 of the fixture has participants, sources with claims, tags and relations.
    let (event, _) = db.event_record(1).await.expect("query").expect("event");
    assert!(!event.participants.is_empty() && !event.citations.is_empty());
    let back: Event = decode(&encode(&event).expect("encodes")).expect("decodes");
    assert_eq!(back, event);
    let (actor, _) = db.actor_record(1).await.expect("query").expect("actor");
    let back: Actor = decode(&encode(&actor).expect("encodes")).expect("decodes");
    assert_eq!(back, actor);
    let (source, _) = db.source_record(1).await.expect("query").expect("source");
    let back: Source = decode(&encode(&source).expect("encodes")).expect("decodes");
    assert_eq!(back, source);

    // What a revision keeps is the record as the store reads it.
    edit_event_one(&app, &eddie).await;
    let (now, version) = db.event_record(1).await.expect("query").expect("event");
    let revisions = db.revisions_of(Entity::Event, 1).await.expect("revisions");
    assert_eq!(revisions[0].version, version);
    assert_eq!(revisions[0].record::<Event>().expect("typed"), now);
    assert_eq!(
        revisions[1].record::<Event>().expect("typed"),
        event,
        "the loaded state"
    );
}

#[tokio::test]
async fn reverting_an_actor_goes_through_its_save_and_readers_see_it_at_once() {
    let (app, eddie) = app_with_editor().await;
    let (before, loaded) = app.app.db.actor_record(3).await.expect("query").expect("actor");
    // A reader's cached page of the actor, before any change.
    let first = app.get("/actors/3").await;
    let page_url = first.location().expect("redirect to the slug").to_owned();
    app.get(&page_url).await.assert_contains(&before.name);

    let saved = app
        .post_as(
            &eddie,
            "/actors/3/edit",
            &[
                ("name", "Renamed For The Test"),
                ("kind", before.kind.as_str()),
                ("iso_code", before.iso_code.as_deref().unwrap_or("")),
                ("country", "BY"),
                ("description", &before.description),
                ("aliases", &before.aliases.join("\n")),
                ("version", &loaded.to_string()),
                ("edit_summary", "A wrong name"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, edited) = app.app.db.actor_record(3).await.expect("query").expect("actor");

    let stale = app
        .post_as(
            &eddie,
            "/actors/3/revert",
            &[
                ("from_version", &loaded.to_string()),
                ("version", &loaded.to_string()),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "the conflict check of a save");
    let done = app
        .post_as(
            &eddie,
            "/actors/3/revert",
            &[
                ("from_version", &loaded.to_string()),
                ("version", &edited.to_string()),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (after, version) = app.app.db.actor_record(3).await.expect("query").expect("actor");
    assert_eq!(after.name, before.name);
    assert_eq!(after.aliases, before.aliases);
    assert_eq!(version, edited + 1);
    let revisions = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Actor, 3)
        .await
        .expect("revisions");
    assert_eq!(revisions[0].action, entente::domain::RevisionAction::Revert);
    // The page cache was told: the reader sees the name brought back, not the old page.
    let reader = app.get(&page_url).await;
    reader.assert_contains(&before.name);
    reader.assert_lacks("Renamed For The Test");
}

#[tokio::test]
async fn an_account_name_taken_is_a_clear_refusal() {
    let (app, _) = app_with_editor().await;
    let hash = entente::auth::hash_password("another password 1").expect("hash");
    let refused = app
        .app
        .db
        .create_user("EDDIE", entente::domain::Role::Editor, &hash)
        .await
        .expect_err("the name is taken, in any capitalization");
    assert!(
        matches!(refused, entente::error::Error::Invalid(_)),
        "{refused:?}"
    );
    assert_eq!(refused.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.to_string().contains("already taken"), "{refused}");
}

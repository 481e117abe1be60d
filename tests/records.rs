//! Actors and sources edited on their own pages, actor merges, and admins' deletion of
//! events, in-process.

use crate::support;

use axum::http::StatusCode;
use support::editing::{open_event, version_of};
use support::{Agent, TestApp, fixture_app};

const PASSWORD: &str = "editor password 1";

async fn app_with_editor() -> (TestApp, Agent) {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    (app, eddie)
}

async fn actor_version(app: &TestApp, id: i64) -> String {
    app.app
        .db
        .actor_version(id)
        .await
        .expect("query")
        .expect("actor")
        .to_string()
}

fn actor_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", "Viktor Khrenin"),
        ("kind", "person"),
        ("iso_code", ""),
        ("country", "BY"),
        ("description", "Minister of Defense of Belarus."),
        ("aliases", "Виктор Хренин\nВіктар Хрэнін"),
        ("edit_summary", ""),
    ];
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => fields.push((key, value)),
        }
    }
    fields
}

#[tokio::test]
async fn an_actor_s_name_and_aliases_are_fixed_once_for_every_event() {
    let (app, eddie) = app_with_editor().await;
    let form = app.get_as(&eddie, "/actors/3/edit").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form.assert_contains("Виктор Хренин\nВіктар Хрэнін</textarea>");
    let version = actor_version(&app, 3).await;
    let saved = app
        .post_as(
            &eddie,
            "/actors/3/edit",
            &actor_fields(&[
                ("name", "Viktor G. Khrenin"),
                (
                    "aliases",
                    "Виктор Хренин\nВіктар Хрэнін\nKhrenin Viktor Gennadyevich",
                ),
                ("edit_summary", "Middle initial"),
                ("version", &version),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get_as(&eddie, "/actors/3").await;
    let page = app.get_as(&eddie, page.location().expect("canonical")).await;
    page.assert_contains("Saved: every event naming this actor shows the change.");
    page.assert_contains("Viktor G. Khrenin");
    page.assert_contains("Khrenin Viktor Gennadyevich");
    let event = open_event(&app, &eddie, "/events/1").await;
    event.assert_contains("Viktor G. Khrenin");
    // The new alias reaches search for readers at once.
    app.get("/?q=gennadyevich")
        .await
        .assert_contains("matching events");
    assert!(
        !app.get("/?q=gennadyevich")
            .await
            .body
            .contains("0 matching events")
    );
    let history = app.app.db.recent_revisions(10).await.expect("revisions");
    assert!(history.iter().any(|r| r.entity.as_str() == "actor"
        && r.action.as_str() == "edit"
        && r.summary == "Middle initial"));
    assert!(
        history
            .iter()
            .any(|r| r.entity.as_str() == "actor" && r.action.as_str() == "import"),
        "the state before is kept"
    );
}

#[tokio::test]
async fn actor_forms_refuse_impossible_codes_and_stale_saves() {
    let (app, eddie) = app_with_editor().await;
    let version = actor_version(&app, 2).await;
    let belarus = |changes: &[(&'static str, &'static str)]| {
        let mut fields = actor_fields(&[
            ("name", "Belarus"),
            ("kind", "country"),
            ("country", ""),
            ("aliases", "Беларусь"),
        ]);
        for (key, value) in changes {
            if let Some(field) = fields.iter_mut().find(|(k, _)| k == key) {
                field.1 = value;
            }
        }
        fields
    };
    let mut taken = belarus(&[("iso_code", "IR")]);
    taken.push(("version", &version));
    let page = app.post_as(&eddie, "/actors/2/edit", &taken).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Another country has the code IR already (#1).");
    let mut missing = belarus(&[("iso_code", "")]);
    missing.push(("version", &version));
    let page = app.post_as(&eddie, "/actors/2/edit", &missing).await;
    page.assert_contains("A country needs its two-letter ISO code");
    let mut person = actor_fields(&[("iso_code", "BY")]);
    let khrenin = actor_version(&app, 3).await;
    person.push(("version", &khrenin));
    let page = app.post_as(&eddie, "/actors/3/edit", &person).await;
    page.assert_contains("Only countries have an ISO code");

    let mut fine = actor_fields(&[]);
    fine.push(("version", &khrenin));
    assert_eq!(
        app.post_as(&eddie, "/actors/3/edit", &fine).await.status,
        StatusCode::SEE_OTHER
    );
    let stale = app.post_as(&eddie, "/actors/3/edit", &fine).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Someone saved this actor while you were editing it");
    stale.assert_contains("Their saved fields are the same as yours.");
    let current = actor_version(&app, 3).await;
    stale.assert_contains(&format!(r#"name="version" value="{current}""#));
    // A different stale input is shown beside what was saved, and kept in the form.
    let mut other = actor_fields(&[("name", "Victor Khrenin")]);
    other.push(("version", &khrenin));
    let page = app.post_as(&eddie, "/actors/3/edit", &other).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.assert_contains("<td>Viktor Khrenin</td><td>Victor Khrenin</td>");
    page.assert_contains(r#"value="Victor Khrenin""#);
    assert_eq!(
        app.get("/actors/3/edit").await.status,
        StatusCode::SEE_OTHER,
        "readers sign in"
    );
}

#[tokio::test]
async fn merging_two_actors_keeps_both_names_moves_events_and_redirects_links() {
    let (app, eddie) = app_with_editor().await;
    let ashtiani_events = app.get("/?actor=4").await;
    assert_eq!(ashtiani_events.status, StatusCode::OK);
    let form = app.get_as(&eddie, "/actors/4/merge").await;
    assert_eq!(form.status, StatusCode::OK);
    let version = actor_version(&app, 4).await;

    let unconfirmed = app
        .post_as(
            &eddie,
            "/actors/4/merge",
            &[("into", "Amir Nasirzadeh"), ("version", &version)],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    unconfirmed.assert_contains("Tick the box to confirm the merge.");
    let country = app
        .post_as(
            &eddie,
            "/actors/4/merge",
            &[("into", "#1"), ("confirm", "1"), ("version", &version)],
        )
        .await;
    assert_eq!(country.status, StatusCode::UNPROCESSABLE_ENTITY);
    country.assert_contains("a country can only be merged with a country");
    let itself = app
        .post_as(
            &eddie,
            "/actors/4/merge",
            &[("into", "#4"), ("confirm", "1"), ("version", &version)],
        )
        .await;
    itself.assert_contains("cannot be merged into itself");

    let merged = app
        .post_as(
            &eddie,
            "/actors/4/merge",
            &[
                ("into", "Amir Nasirzadeh"),
                ("confirm", "1"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(merged.location(), Some("/actors/5"));
    let page = app.get_as(&eddie, "/actors/5").await;
    let page = app.get_as(&eddie, page.location().expect("canonical")).await;
    page.assert_contains("Mohammad Reza Ashtiani is merged into this actor");
    page.assert_contains("<li>Mohammad Reza Ashtiani</li>");
    page.assert_contains("<li>Amir Nasirzadeh</li>");

    let old_link = app.get("/actors/4/mohammad-reza-ashtiani").await;
    assert_eq!(old_link.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old_link.location(), Some("/actors/5/aziz-nasirzadeh"));
    let old_filter = app.get("/?actor=4").await;
    assert_eq!(old_filter.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old_filter.location(), Some("/?actor=5"));
    // Searching the old name finds the events it named.
    let search = app.get("/?q=ashtiani").await;
    assert!(!search.body.contains("0 matching events"), "{}", search.body);
    let snapshot = app.app.db.recent_revisions(10).await.expect("revisions");
    assert!(
        snapshot
            .iter()
            .any(|r| r.entity.as_str() == "actor" && r.entity_id == 4 && r.action.as_str() == "merge")
    );
    assert!(app.app.db.actor(4).await.expect("query").is_none());
}

#[tokio::test]
async fn a_source_is_fixed_once_for_every_event_citing_it() {
    let (app, eddie) = app_with_editor().await;
    let detail = app.app.db.event(1).await.expect("query").expect("event");
    let source_id = detail.citations[0].source_id;
    let event = open_event(&app, &eddie, "/events/1").await;
    event.assert_contains(&format!("/sources/{}/edit?next=/events/1", source_id));
    let form = app
        .get_as(&eddie, &format!("/sources/{}/edit?next=/events/1", source_id))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form.assert_contains("cite this source");
    let version = support::editing::source_version(&app, source_id).await;
    let fields = |title: &'static str, url: &'static str| {
        vec![
            ("outlet", "The Cradle".to_owned()),
            ("title", title.to_owned()),
            ("url", url.to_owned()),
            ("published", "2023-08-01".to_owned()),
            ("author", String::new()),
            ("notes", String::new()),
            ("next", "/events/1".to_owned()),
            ("version", version.clone()),
        ]
    };
    let borrowed = |f: &[(&'static str, String)]| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let bad = borrowed(&fields("Iran inks defense deal", "ftp://example.org/x"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = app
        .post_as(&eddie, &format!("/sources/{}/edit", source_id), &bad)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("The address must start with http:// or https://.");
    let good = borrowed(&fields(
        "Iran inks a defense deal with Belarus",
        "https://example.org/cradle",
    ));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app
        .post_as(&eddie, &format!("/sources/{}/edit", source_id), &good)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some("/events/1"));
    let event = open_event(&app, &eddie, "/events/1").await;
    event.assert_contains("Source saved: every event citing it shows the change.");
    event.assert_contains("Iran inks a defense deal with Belarus");
    app.get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await
        .assert_contains("Iran inks a defense deal with Belarus");
    let stale = app
        .post_as(&eddie, &format!("/sources/{}/edit", source_id), &good)
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Someone saved this source while you were editing it");
    stale.assert_contains(r#"value="Iran inks a defense deal with Belarus""#);
}

#[tokio::test]
async fn only_admins_delete_an_event_and_only_after_confirming() {
    let (app, eddie) = app_with_editor().await;
    app.add_user("Ada", "admin", "admin password 1").await;
    assert_eq!(
        app.get_as(&eddie, "/events/1/delete").await.status,
        StatusCode::FORBIDDEN
    );
    let ada = app.sign_in("Ada", "admin password 1").await;
    let event = open_event(&app, &ada, "/events/1").await;
    event.assert_contains(r#"<a href="/events/1/delete">Delete…</a>"#);
    open_event(&app, &eddie, "/events/1")
        .await
        .assert_lacks("/events/1/delete");
    let page = app.get_as(&ada, "/events/1/delete").await;
    assert_eq!(page.status, StatusCode::OK);
    let version = version_of(&app, 1).await;
    let unconfirmed = app
        .post_as(
            &ada,
            "/events/1/delete",
            &[("reason", "Duplicate of event 2"), ("version", &version)],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let editor_try = app
        .post_as(
            &eddie,
            "/events/1/delete",
            &[("reason", "x"), ("confirm", "1"), ("version", &version)],
        )
        .await;
    assert_eq!(editor_try.status, StatusCode::FORBIDDEN);
    let before = app.app.db.event_count().await.expect("count");
    let deleted = app
        .post_as(
            &ada,
            "/events/1/delete",
            &[
                ("reason", "Duplicate of event 2"),
                ("confirm", "1"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert_eq!(app.app.db.event_count().await.expect("count"), before - 1);
    let changes = app.get_as(&ada, "/changes").await;
    changes.assert_contains("is deleted. Its history keeps its last state.");
    changes.assert_contains("Iran and Belarus sign defense MOU in Tehran (deleted)");
    let reader = app.get("/events/1").await;
    assert_eq!(reader.status, StatusCode::GONE);
    reader.assert_contains("This entry was deleted. Reason given: Duplicate of event 2");
    app.get("/")
        .await
        .assert_lacks("Iran and Belarus sign defense MOU in Tehran");
    app.get("/?q=tehran")
        .await
        .assert_lacks("Iran and Belarus sign defense MOU");
    let revisions = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, 1)
        .await
        .expect("revisions");
    let last: serde_json::Value = serde_json::from_str(&revisions[0].snapshot).expect("json");
    assert_eq!(revisions[0].action.as_str(), "delete");
    assert_eq!(
        last["citations"][0]["outlet"], "The Cradle",
        "the deleted event's sources are kept"
    );
}

#[tokio::test]
async fn a_renamed_actor_is_renamed_on_every_timeline_entry_that_names_it() {
    let (app, eddie) = app_with_editor().await;
    let link = |name: &str| format!("/actors/3/viktor-khrenin\">{name}</a>");
    // A reader's page (kept by the page cache) and an editor's (rendered each time),
    // each asked for twice, so that the actors' names are kept too.
    for _ in 0..2 {
        app.get("/").await.assert_contains(&link("Viktor Khrenin"));
        app.get_as(&eddie, "/")
            .await
            .assert_contains(&link("Viktor Khrenin"));
    }
    let version = actor_version(&app, 3).await;
    let renamed = app
        .post_as(
            &eddie,
            "/actors/3/edit",
            &actor_fields(&[("name", "V. Khrenin"), ("version", &version)]),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    for page in [app.get("/").await, app.get_as(&eddie, "/").await] {
        page.assert_lacks(">Viktor Khrenin</a>");
        page.assert_contains("\">V. Khrenin</a>");
    }
}

#[tokio::test]
async fn actors_and_sources_have_histories_that_compare_and_bring_back_versions() {
    let (app, eddie) = app_with_editor().await;
    let version = actor_version(&app, 3).await;
    let renamed = app
        .post_as(
            &eddie,
            "/actors/3/edit",
            &actor_fields(&[
                ("name", "V. Khrenin"),
                ("aliases", "Виктор Хренин"),
                ("version", &version),
            ]),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let history = app.get_as(&eddie, "/actors/3/history").await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    history.assert_contains("As loaded from the dataset");
    history.assert_contains("<td>V. Khrenin</td>");
    history.assert_contains("/actors/3/compare?from=1&#38;to=2");
    let compare = app.get_as(&eddie, "/actors/3/compare?from=1&to=2").await;
    assert_eq!(compare.status, StatusCode::OK, "{}", compare.body);
    compare.assert_contains("Viktor Khrenin</del>");
    compare.assert_contains("V. Khrenin</ins>");
    compare.assert_contains("Віктар Хрэнін</del>");

    let current = actor_version(&app, 3).await;
    let back = app
        .post_as(
            &eddie,
            "/actors/3/revert",
            &[("from_version", "1"), ("version", &current)],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let actor = app.app.db.actor(3).await.expect("query").expect("actor");
    assert_eq!(actor.name, "Viktor Khrenin");
    let aliases = app.app.db.aliases(3).await.expect("aliases");
    assert!(aliases.contains(&"Віктар Хрэнін".to_owned()), "{aliases:?}");
    app.get("/?q=Хрэнін").await.assert_lacks("0 matching events");

    // A source's history, likewise.
    let source_id = app
        .app
        .db
        .event(1)
        .await
        .expect("query")
        .expect("event")
        .citations[0]
        .source_id;
    let version = support::editing::source_version(&app, source_id).await;
    let saved = app
        .post_as(
            &eddie,
            &format!("/sources/{source_id}/edit"),
            &[
                ("outlet", "The Cradle"),
                ("title", "A wrong title"),
                ("url", "https://example.org/cradle"),
                ("published", ""),
                ("author", ""),
                ("notes", ""),
                ("next", "/"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let history = app.get_as(&eddie, &format!("/sources/{source_id}/history")).await;
    history.assert_contains("<td>A wrong title</td>");
    let current = support::editing::source_version(&app, source_id).await;
    let back = app
        .post_as(
            &eddie,
            &format!("/sources/{source_id}/revert"),
            &[("from_version", &version), ("version", &current)],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let source = app
        .app
        .db
        .source_record(source_id)
        .await
        .expect("query")
        .expect("source")
        .0;
    assert_eq!(source.title, "Iran inks defense deal with Russia ally Belarus");

    let changes = app.get_as(&eddie, "/changes").await;
    changes.assert_contains("Actor: <a href=\"/actors/3\">Viktor Khrenin</a>");
    changes.assert_contains(&format!("Source: <a href=\"/sources/{source_id}/history\">"));
    changes.assert_contains("Earlier version brought back");
}

#[tokio::test]
async fn ids_are_never_given_twice_after_the_newest_record_is_removed() {
    let (app, _eddie) = app_with_editor().await;
    app.add_user("Ada", "admin", "admin password 1").await;
    let ada = app.sign_in("Ada", "admin password 1").await;
    let fields = support::editing::event_fields(&[("p_actor", "Newest Person"), ("p_kind", "person")]);
    let first = app.post_as(&ada, "/events/new", &fields).await;
    let first_id = support::editing::event_id(first.location().expect("location"));
    let version = version_of(&app, first_id).await;
    let deleted = app
        .post_as(
            &ada,
            &format!("/events/{first_id}/delete"),
            &[("reason", "A test"), ("confirm", "1"), ("version", &version)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let newest_actor = app.app.db.find_actors("Newest Person").await.expect("query")[0].id;
    let v = actor_version(&app, newest_actor).await;
    let merged = app
        .post_as(
            &ada,
            &format!("/actors/{newest_actor}/merge"),
            &[("into", "#3"), ("confirm", "1"), ("version", &v)],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);

    let fields = support::editing::event_fields(&[("p_actor", "Another Person"), ("p_kind", "person")]);
    let second = app.post_as(&ada, "/events/new", &fields).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let second_id = support::editing::event_id(second.location().expect("location"));
    assert!(second_id > first_id, "{second_id} reuses {first_id}");
    let another = app.app.db.find_actors("Another Person").await.expect("query")[0].id;
    assert!(another > newest_actor, "{another} reuses {newest_actor}");
    let history = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, second_id)
        .await
        .expect("revisions");
    assert_eq!(history.len(), 1, "a history of its own");
    // The merged actor's old address still leads to Khrenin, not to the new actor.
    let old = app.get(&format!("/actors/{newest_actor}")).await;
    assert_eq!(old.location(), Some("/actors/3/viktor-khrenin"));
}

#[tokio::test]
async fn readers_never_see_actors_tags_or_sources_known_only_from_drafts() {
    let (app, eddie) = app_with_editor().await;
    let fields = support::editing::event_fields(&[
        ("p_actor", "Secret Person"),
        ("p_kind", "person"),
        ("tags", "secret-tag"),
        ("s_outlet", "Hidden Outlet"),
        ("s_url", "https://example.org/hidden"),
    ]);
    let saved = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = support::editing::event_id(saved.location().expect("location"));
    let person = app.app.db.find_actors("Secret Person").await.expect("query")[0].id;

    let check = |page: support::Page, visible: bool, needle: &str| {
        assert_eq!(page.body.contains(needle), visible, "{needle}: {}", page.body);
    };
    check(app.get("/actors").await, false, "Secret Person");
    assert_eq!(
        app.get(&format!("/actors/{person}")).await.status,
        StatusCode::NOT_FOUND
    );
    check(app.get("/tags").await, false, "secret-tag");
    assert_eq!(app.get("/tags/secret-tag").await.status, StatusCode::NOT_FOUND);
    check(app.get("/outlets").await, false, "Hidden Outlet");
    assert_eq!(
        app.get("/outlets/Hidden%20Outlet").await.status,
        StatusCode::NOT_FOUND
    );
    check(app.get("/").await, false, "secret-tag");
    assert_eq!(
        app.get("/?actor=Secret%20Person").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get(&format!("/?actor={person}")).await.status,
        StatusCode::BAD_REQUEST
    );
    // Editors see them all.
    check(app.get_as(&eddie, "/actors").await, true, "Secret Person");
    check(app.get_as(&eddie, "/tags").await, true, "secret-tag");
    check(app.get_as(&eddie, "/outlets").await, true, "Hidden Outlet");

    let v = version_of(&app, id).await;
    app.post_as(
        &eddie,
        &format!("/events/{id}/status"),
        &[("action", "publish"), ("version", &v)],
    )
    .await;
    check(app.get("/actors").await, true, "Secret Person");
    check(app.get("/tags").await, true, "secret-tag");
    check(app.get("/outlets").await, true, "Hidden Outlet");
    assert_eq!(app.get("/tags/secret-tag").await.status, StatusCode::OK);
}

#[tokio::test]
async fn changes_made_from_elsewhere_are_in_the_changed_events_history() {
    let (app, eddie) = app_with_editor().await;
    app.add_user("Ada", "admin", "admin password 1").await;
    let ada = app.sign_in("Ada", "admin password 1").await;
    let before = version_of(&app, 1).await;
    // Merging Ashtiani (#4, in event 1) into Nasirzadeh (#5).
    let v = actor_version(&app, 4).await;
    let merged = app
        .post_as(
            &eddie,
            "/actors/4/merge",
            &[("into", "#5"), ("confirm", "1"), ("version", &v)],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_ne!(
        version_of(&app, 1).await,
        before,
        "event 1 changed: a stale form must not win"
    );
    let revisions = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, 1)
        .await
        .expect("revisions");
    assert_eq!(
        revisions[0].summary,
        "Mohammad Reza Ashtiani (#4) merged into Aziz Nasirzadeh (#5)"
    );
    assert_eq!(revisions[1].action.as_str(), "import");
    // Bringing back the loaded state keeps the participant, as the actor it became.
    let current = version_of(&app, 1).await;
    let back = app
        .post_as(
            &eddie,
            "/events/1/revert",
            &[("from_version", &before), ("version", &current)],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let detail = app.app.db.event(1).await.expect("query").expect("event");
    assert!(
        detail.participants.iter().any(|p| p.actor.id == 5),
        "{:?}",
        detail.participants
    );

    // Deleting event 2 removes event 1's relation to it, on the record.
    let v2 = version_of(&app, 2).await;
    let deleted = app
        .post_as(
            &ada,
            "/events/2/delete",
            &[("reason", "Duplicate"), ("confirm", "1"), ("version", &v2)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let revisions = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, 1)
        .await
        .expect("revisions");
    assert_eq!(revisions[0].summary, "Relation to deleted event #2 removed");
    assert!(
        app.app
            .db
            .outgoing_relations(1)
            .await
            .expect("relations")
            .is_empty()
    );
}

#[tokio::test]
async fn a_deleted_draft_stays_unknown_to_readers() {
    let (app, _eddie) = app_with_editor().await;
    app.add_user("Ada", "admin", "admin password 1").await;
    let ada = app.sign_in("Ada", "admin password 1").await;
    let v = version_of(&app, 6).await;
    let deleted = app
        .post_as(
            &ada,
            "/events/6/delete",
            &[
                ("reason", "A rumour, never confirmed"),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let reader = app.get("/events/6").await;
    assert_eq!(reader.status, StatusCode::NOT_FOUND);
    reader.assert_lacks("never confirmed");
}

#[tokio::test]
async fn an_actor_save_rechecks_its_code_and_country_at_the_write() {
    use entente::domain::ActorKind;
    use entente::domain::edit::ActorFields;
    let (app, _) = app_with_editor().await;
    let db = &app.app.db;
    let eddie = db.user_by_name("Eddie").await.expect("query").expect("user");
    let version = |id| async move { db.actor_record(id).await.expect("query").expect("actor").1 };
    // Belarus asks for Iran's code, as if the form's check had passed before Iran took it.
    let belarus = ActorFields {
        name: "Belarus".to_owned(),
        kind: ActorKind::Country,
        iso_code: Some("IR".to_owned()),
        country_id: None,
        description: String::new(),
        aliases: Vec::new(),
    };
    let refused = db
        .update_actor(2, version(2).await, &belarus, eddie.id, "")
        .await
        .expect_err("the code is taken");
    assert_eq!(
        refused.status_code(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{refused:?}"
    );
    assert!(refused.to_string().contains("IR"), "{refused}");

    // A person's country merged away between the form's check and the write.
    let khrenin = ActorFields {
        name: "Viktor Khrenin".to_owned(),
        kind: ActorKind::Person,
        iso_code: None,
        country_id: Some(2),
        description: String::new(),
        aliases: Vec::new(),
    };
    let before = version(3).await;
    db.merge_actors((2, version(2).await), (1, version(1).await), eddie.id)
        .await
        .expect("merged");
    let refused = db
        .update_actor(3, before, &khrenin, eddie.id, "")
        .await
        .expect_err("the country is gone");
    assert_eq!(refused.status_code(), StatusCode::CONFLICT, "{refused:?}");
    assert_eq!(version(3).await, before, "nothing of the save landed");
}

/// Posts `fields` with one field's value replaced by `value`.
fn with_value<'a>(fields: &[(&'a str, &'a str)], name: &str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    fields
        .iter()
        .map(|&(key, old)| (key, if key == name { value } else { old }))
        .collect()
}

#[tokio::test]
async fn a_control_character_in_any_field_of_any_form_is_a_clear_422() {
    let (app, eddie) = app_with_editor().await;
    let hash = entente::auth::hash_password("an admin password").expect("hash");
    app.app
        .db
        .create_user("Ada", entente::domain::Role::Admin, &hash)
        .await
        .expect("admin");
    let ada = app.sign_in("Ada", "an admin password").await;
    let actor_version = support::editing::actor_version(&app, 3).await;
    let source_version = support::editing::source_version(&app, 1).await;
    let event_version = version_of(&app, 1).await;
    let actor: Vec<(&str, &str)> = vec![
        ("name", "Viktor Khrenin"),
        ("kind", "person"),
        ("iso_code", ""),
        ("country", "BY"),
        ("description", "Minister"),
        ("aliases", "Виктор Хренин"),
        ("version", &actor_version),
        ("edit_summary", ""),
    ];
    let source: Vec<(&str, &str)> = vec![
        ("outlet", "The Cradle"),
        ("title", "A title"),
        ("url", ""),
        ("published", ""),
        ("author", ""),
        ("notes", ""),
        ("version", &source_version),
        ("edit_summary", ""),
        ("next", "/events/1"),
    ];
    let status: Vec<(&str, &str)> = vec![
        ("action", "retract"),
        ("version", &event_version),
        ("reason", "wrong"),
    ];
    let account: Vec<(&str, &str)> = vec![
        ("name", "Newcomer"),
        ("role", "editor"),
        ("password", "a long password"),
    ];
    for bad in ["\u{0}x", "a\u{1b}[31m", "x\u{202E}y", "\u{7f}"] {
        for (agent, uri, fields) in [
            (&eddie, "/actors/3/edit", &actor),
            (&eddie, "/sources/1/edit", &source),
            (&eddie, "/events/1/status", &status),
            (&ada, "/admin/users", &account),
        ] {
            for (name, _) in fields
                .iter()
                .filter(|(name, _)| !["version", "kind", "action", "role", "next"].contains(name))
            {
                let page = app.post_as(agent, uri, &with_value(fields, name, bad)).await;
                assert_eq!(
                    page.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{uri} {name} {bad:?}: {}",
                    page.body
                );
                page.assert_contains(&format!("The field “{name}” contains the invisible character U+"));
            }
        }
    }
    // Nothing was written.
    let (khrenin, _) = app.app.db.actor_record(3).await.expect("query").expect("actor");
    assert_eq!(khrenin.name, "Viktor Khrenin");
    assert!(
        app.app
            .db
            .user_by_name("Newcomer")
            .await
            .expect("query")
            .is_none()
    );
    // The sign-in form too, before any password is checked.
    let visitor = app.visit_login().await;
    let page = app
        .post_as(
            &visitor,
            "/login",
            &[("name", "Eddie\u{0}"), ("password", "x"), ("next", "/")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // And the command line's way in: an account name with nothing visible.
    let refused = app
        .app
        .db
        .create_user("\u{200B}\u{FEFF}", entente::domain::Role::Editor, &hash)
        .await
        .expect_err("an invisible name");
    assert_eq!(refused.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn names_need_something_visible_and_every_field_has_a_length_limit() {
    let (app, eddie) = app_with_editor().await;
    let version = support::editing::actor_version(&app, 3).await;
    let long_name = "N".repeat(201);
    let long_text = "x".repeat(100_001);
    for (field, value, expected) in [
        ("name", "\u{200B}\u{FEFF}", "needs at least one visible character"),
        (
            "aliases",
            "Хренин\n\u{200B}",
            "needs at least one visible character",
        ),
        ("name", long_name.as_str(), "entente keeps at most 200"),
        ("description", long_text.as_str(), "entente keeps at most 10000"),
    ] {
        let fields = [
            ("name", "Viktor Khrenin"),
            ("kind", "person"),
            ("iso_code", ""),
            ("country", "BY"),
            ("description", ""),
            ("aliases", ""),
            ("version", version.as_str()),
            ("edit_summary", ""),
        ];
        let page = app
            .post_as(&eddie, "/actors/3/edit", &with_value(&fields, field, value))
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            page.body
        );
        page.assert_contains(expected);
    }
    let source_version = support::editing::source_version(&app, 1).await;
    let huge_outlet = "O".repeat(100_000);
    let page = app
        .post_as(
            &eddie,
            "/sources/1/edit",
            &[
                ("outlet", huge_outlet.as_str()),
                ("title", "A title"),
                ("version", source_version.as_str()),
                ("next", "/events/1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("entente keeps at most 200");
}

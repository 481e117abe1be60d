//! Editors' event forms, in-process: creating drafts, validation beside the fields, the
//! date preview, publishing, retracting and restoring, revisions, and stale saves.

use crate::support;

use axum::http::StatusCode;
use support::editing::{borrowed, edit_fields, event_fields, event_id, open_event, version_of};
use support::{Agent, TestApp, fixture_app};

const PASSWORD: &str = "editor password 1";

async fn app_with_editors() -> (TestApp, Agent) {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    app.add_user("Olga", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    (app, eddie)
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
    // A date Save would refuse: the preview says what Save would, beside the field,
    // and nothing else of the form is judged yet.
    for typed in ["2023-02-30", "Sept 2023", "2023-13", "2023-07-31/2023-06"] {
        let expected = entente::dates::EventDate::parse(typed)
            .expect_err("refused")
            .to_string();
        let page = app
            .post_as(
                &eddie,
                "/events/new",
                &event_fields(&[("date", typed), ("preview", "1"), ("title", "")]),
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed}: {}",
            page.body
        );
        page.assert_contains(&askama_escape(&expected));
        page.assert_contains(r#"id="date-error""#);
        page.assert_lacks("Give the event a title.");
    }
    assert_eq!(
        app.app.db.event_count().await.expect("count"),
        before,
        "a preview saves nothing"
    );
}

/// Text as askama escapes it in HTML.
fn askama_escape(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
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

    let loaded_form = edit_fields(&app, 1, &[]).await;
    let eddie_form = edit_fields(
        &app,
        1,
        &[
            ("title", "Iran and Belarus sign a defense MOU in Tehran"),
            ("edit_summary", "Article added"),
        ],
    )
    .await;
    let first = app
        .post_as(&eddie, "/events/1/edit", &borrowed(&eddie_form))
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);

    let mut olga_form = loaded_form.clone();
    olga_form[1].1 = "Iran and Belarus sign defence MOU".to_owned();
    let stale = app.post_as(&olga, "/events/1/edit", &borrowed(&olga_form)).await;
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
    let merged_form = edit_fields(
        &app,
        1,
        &[("title", "Iran and Belarus sign a defence MOU in Tehran")],
    )
    .await;
    assert!(merged_form.contains(&("version".to_owned(), current.clone())));
    let merged = app
        .post_as(&olga, "/events/1/edit", &borrowed(&merged_form))
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
    let before = app.app.db.event(1).await.expect("query").expect("event");
    let form = edit_fields(&app, 1, &[("title", "Zebracorn memorandum signed in Tehran")]).await;
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = open_event(&app, &eddie, "/events/1").await;
    page.assert_contains("Zebracorn memorandum signed in Tehran");
    page.assert_contains("The Cradle");
    page.assert_contains("Viktor Khrenin");
    // Participants, citations and their claims are all still there.
    let after = app.app.db.event(1).await.expect("query").expect("event");
    assert_eq!(after.participants.len(), before.participants.len());
    assert_eq!(after.citations.len(), before.citations.len());
    let claims =
        |d: &entente::store::events::EventDetail| d.citations.iter().map(|c| c.claims.len()).sum::<usize>();
    assert!(claims(&before) > 0);
    assert_eq!(claims(&after), claims(&before));
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
    let form = edit_fields(
        &app,
        id,
        &[
            ("date", "2024-03-12"),
            ("location_country", "IR"),
            ("edit_summary", "Day from the ministry"),
        ],
    )
    .await;
    let edit = app
        .post_as(&olga, &format!("/events/{id}/edit"), &borrowed(&form))
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
    let revisions = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, id)
        .await
        .expect("revisions");
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
    let first = &app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, 1)
        .await
        .expect("revisions")[0];
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

#[tokio::test]
async fn participants_are_found_by_any_alias_or_number_and_new_ones_can_be_added() {
    let (app, eddie) = app_with_editors().await;
    // The default row names Khrenin by his Cyrillic alias; two more rows follow.
    let fields: Vec<(&str, &str)> = event_fields(&[])
        .into_iter()
        .chain([
            ("p_actor", "#2"),
            ("p_role", "host"),
            ("p_title", ""),
            ("p_kind", ""),
            ("p_actor", "Hossein Testpour"),
            ("p_role", "participant"),
            ("p_title", "Plant director"),
            ("p_kind", "person"),
        ])
        .collect();
    let saved = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = event_id(saved.location().expect("location"));
    let detail = app.app.db.event(id).await.expect("query").expect("event");
    let names: Vec<(&str, &str)> = detail
        .participants
        .iter()
        .map(|p| (p.actor.name.as_str(), p.role.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Viktor Khrenin", "visitor"),
            ("Belarus", "host"),
            ("Hossein Testpour", "participant")
        ]
    );
    let new_actor = app.app.db.find_actors("Testpour").await.expect("query");
    assert_eq!(new_actor.len(), 1);
    assert_eq!(new_actor[0].kind.as_str(), "person");
    let revisions = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Actor, new_actor[0].id)
        .await
        .expect("revisions");
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].action.as_str(), "create");
    assert_eq!(revisions[0].editor.as_deref(), Some("Eddie"));
    let page = open_event(&app, &eddie, &format!("/events/{id}")).await;
    page.assert_contains("Defense Minister");
    page.assert_contains("Plant director");
    // Countries among the participants make the event a Belarus event.
    let v = version_of(&app, id).await;
    app.post_as(
        &eddie,
        &format!("/events/{id}/status"),
        &[("action", "publish"), ("version", &v)],
    )
    .await;
    app.get("/?q=isfahan&country=BY")
        .await
        .assert_contains("1 matching events");
}

#[tokio::test]
async fn participant_problems_are_shown_on_their_row() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event_count().await.expect("count");
    let rows = |actor: &'static str, kind: &'static str| {
        event_fields(&[("p_actor", actor), ("p_kind", kind), ("p_title", "")])
    };
    let unknown = app
        .post_as(&eddie, "/events/new", &rows("Nobody Anywhere", ""))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    unknown.assert_contains(r#"<p class="field-error" id="p-0-error">No actor is called “Nobody Anywhere”"#);
    unknown.assert_contains(r#"value="Nobody Anywhere""#);
    unknown.assert_contains(r##"<a href="#p-0-actor">Participant 1:"##);
    let vague = app.post_as(&eddie, "/events/new", &rows("an", "")).await;
    assert_eq!(vague.status, StatusCode::UNPROCESSABLE_ENTITY);
    vague.assert_contains("matches several actors");
    vague.assert_contains("(#");
    let exists = app
        .post_as(&eddie, "/events/new", &rows("Viktor Khrenin", "person"))
        .await;
    assert_eq!(exists.status, StatusCode::UNPROCESSABLE_ENTITY);
    exists.assert_contains("exists already (#3)");
    let missing = app.post_as(&eddie, "/events/new", &rows("#999", "")).await;
    missing.assert_contains("There is no actor #999.");
    assert_eq!(app.app.db.event_count().await.expect("count"), before);
}

#[tokio::test]
async fn sources_are_added_reused_by_address_and_checked() {
    let (app, eddie) = app_with_editors().await;
    let sources_before: i64 = app
        .app
        .db
        .outlet_sources("The Cradle", 50, true)
        .await
        .expect("query")
        .1;
    let fields: Vec<(&str, &str)> = event_fields(&[])
        .into_iter()
        .chain([
            ("s_citation", ""),
            ("s_outlet", "The Cradle"),
            ("s_title", "any title: the address decides"),
            ("s_url", "https://example.org/cradle"),
            ("s_published", ""),
            ("s_passage", "Iranian engineers were seen at the plant."),
            ("s_claimed", "2024-02"),
            ("s_note", "The Cradle dates it a month earlier"),
            (
                "s_claims",
                "drones seen: 40 (according to a plant worker)\nengineers: 12",
            ),
        ])
        .collect();
    let saved = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = event_id(saved.location().expect("location"));
    let detail = app.app.db.event(id).await.expect("query").expect("event");
    assert_eq!(detail.citations.len(), 2);
    assert_eq!(detail.citations[0].source.outlet, "BelTA");
    assert_eq!(
        detail.citations[1].source.title,
        "Iran inks defense deal with Russia ally Belarus"
    );
    let sources_after = app
        .app
        .db
        .outlet_sources("The Cradle", 50, true)
        .await
        .expect("query")
        .1;
    assert_eq!(sources_after, sources_before, "the known source was reused");
    let page = open_event(&app, &eddie, &format!("/events/{id}")).await;
    page.assert_contains("The delegation visited a plant in Isfahan in March.");
    page.assert_contains("Iranian engineers were seen at the plant.");
    page.assert_contains("Sources disagree");
    let claims = &detail.citations[1].claims;
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0].topic, "drones seen");
    assert_eq!(claims[0].value, "40");
    assert_eq!(claims[0].attributed_to.as_deref(), Some("a plant worker"));
    assert_eq!(claims[1].attributed_to, None);
    page.assert_contains("<li>drones seen: <strong>40</strong> (a plant worker)</li>");

    let bad = app
        .post_as(
            &eddie,
            "/events/new",
            &event_fields(&[
                ("s_url", "javascript:alert(1)"),
                ("s_passage", ""),
                ("s_claimed", "soon"),
            ]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains(
        r#"<p class="field-error" id="s-0-error">Source 1: its date for the event: “soon” is not a date"#,
    );
    bad.assert_contains(
        "; the address must start with http:// or https://; quote the passage the event relies on.</p>",
    );
    bad.assert_contains(r#"value="javascript:alert(1)""#);
}

#[tokio::test]
async fn an_edit_updates_and_removes_citations_keeping_the_others_claims() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event(1).await.expect("query").expect("event");
    assert!(before.citations.len() >= 2, "the fixture's MOU has two sources");
    let first = before.citations[0].id.to_string();
    let second = before.citations[1].id.to_string();
    let mut form = edit_fields(&app, 1, &[]).await;
    // Edit the first citation's passage, remove the second.
    let passage = form
        .iter()
        .position(|(k, _)| k == "s_passage")
        .expect("a passage");
    form[passage].1 = "A corrected quotation.".to_owned();
    form.push(("s_remove".to_owned(), second.clone()));
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = app.app.db.event(1).await.expect("query").expect("event");
    assert_eq!(after.citations.len(), before.citations.len() - 1);
    assert_eq!(after.citations[0].id.to_string(), first);
    assert_eq!(after.citations[0].passage, "A corrected quotation.");
    assert_eq!(after.citations[0].claims.len(), before.citations[0].claims.len());
    // The removed citation is in the history's previous snapshot.
    let revisions = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, 1)
        .await
        .expect("revisions");
    assert_eq!(revisions.len(), 2, "the state as loaded, then the edit");
    assert_eq!(revisions[1].action.as_str(), "import");
    let edited: serde_json::Value = serde_json::from_str(&revisions[0].snapshot).expect("json");
    assert_eq!(
        edited["citations"].as_array().map(Vec::len),
        Some(after.citations.len())
    );
    let loaded: serde_json::Value = serde_json::from_str(&revisions[1].snapshot).expect("json");
    assert_eq!(
        loaded["citations"].as_array().map(Vec::len),
        Some(before.citations.len()),
        "the removed citation is kept in the history"
    );
}

#[tokio::test]
async fn more_rows_shows_blank_rows_without_saving() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event_count().await.expect("count");
    let page = app
        .post_as(&eddie, "/events/new", &event_fields(&[("more_rows", "1")]))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(r#"id="p-4-actor""#);
    page.assert_contains(r#"id="s-2-outlet""#);
    page.assert_contains(r#"value="Belarusian military delegation visits Iran""#);
    assert_eq!(app.app.db.event_count().await.expect("count"), before);
    let form = app.get_as(&eddie, "/events/1/edit").await;
    form.assert_contains("Remove this source from the event");
    form.assert_contains(r##"value="#3 Viktor Khrenin""##);
}

#[tokio::test]
async fn related_events_are_named_by_number_or_address_and_kept_by_edits() {
    let (app, eddie) = app_with_editors().await;
    let fields: Vec<(&str, &str)> = event_fields(&[])
        .into_iter()
        .chain([
            (
                "r_event",
                "https://entente.example/events/2/khrenin-visits-tehran",
            ),
            ("r_relation", "follows_from"),
            ("r_note", "The visit prepared it"),
            ("r_event", "#999"),
            ("r_relation", "part_of"),
            ("r_note", ""),
        ])
        .collect();
    let refused = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(
        r#"<p class="field-error" id="r-1-error">Related event 2: there is no event #999.</p>"#,
    );
    let fields: Vec<(&str, &str)> = fields[..fields.len() - 3].to_vec();
    let saved = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = event_id(saved.location().expect("location"));
    let page = open_event(&app, &eddie, &format!("/events/{id}")).await;
    page.assert_contains("Follows from");
    page.assert_contains("Khrenin visits Tehran");
    // The other event shows the inverse once this one is published.
    let v = version_of(&app, id).await;
    app.post_as(
        &eddie,
        &format!("/events/{id}/status"),
        &[("action", "publish"), ("version", &v)],
    )
    .await;
    let other = app.get("/events/2/khrenin-visits-tehran").await;
    other.assert_contains("Led to");
    // An edit through the form keeps the relation; the edit form shows it.
    let form = app.get_as(&eddie, &format!("/events/{id}/edit")).await;
    form.assert_contains(r##"value="#2 Khrenin visits Tehran""##);
    let edit = edit_fields(&app, id, &[("title", "Renamed")]).await;
    let done = app
        .post_as(&eddie, &format!("/events/{id}/edit"), &borrowed(&edit))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let relations = app.app.db.outgoing_relations(id).await.expect("relations");
    assert_eq!(relations.len(), 1);
    assert_eq!(relations[0].2, "The visit prepared it");
}

#[tokio::test]
async fn claims_are_edited_on_their_source_row_and_checked() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event(1).await.expect("query").expect("event");
    let topic = before.citations[0].claims[0].topic.clone();
    let mut form = edit_fields(&app, 1, &[]).await;
    let claims = form
        .iter()
        .position(|(k, _)| k == "s_claims")
        .expect("a claims field");
    assert!(
        form[claims].1.contains(&topic),
        "the form shows the claims: {}",
        form[claims].1
    );
    form[claims].1 = format!("{topic}: 30 (according to a new report)\nnot a claim");
    let refused = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("claim 2: “not a claim” needs the form topic: value");
    form[claims].1 = format!(
        "{topic}: over 30 (according to a new report)\n{topic}: up to 25 [alternative: an older count [2022]]\n\
         Place: Minsk [Belarus]"
    );
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = app.app.db.event(1).await.expect("query").expect("event");
    let claims = &after.citations[0].claims;
    assert_eq!(claims.len(), 3);
    // A bracket that is no rank belongs to the value.
    assert_eq!(claims[2].value, "Minsk [Belarus]");
    assert_eq!(claims[2].rank, entente::domain::Rank::Preferred);
    assert_eq!(claims[0].value, "more than 30", "a quantity is shown its one way");
    assert_eq!(claims[0].quantity.as_ref().map(|q| q.low), Some(30.0));
    assert_eq!(claims[0].attributed_to.as_deref(), Some("a new report"));
    assert_eq!(claims[0].rank, entente::domain::Rank::Preferred);
    assert_eq!(claims[1].rank, entente::domain::Rank::Alternative);
    assert_eq!(claims[1].rank_reason, "an older count [2022]");
    // The form gives the ranked claim back as it was written.
    let again = app.get_as(&eddie, "/events/1/edit").await;
    again.assert_contains(&format!("{topic}: up to 25 [alternative: an older count [2022]]"));
    // The other citation's claims are untouched.
    assert_eq!(after.citations[1].claims.len(), before.citations[1].claims.len());
}

#[tokio::test]
async fn a_source_removed_between_loading_and_saving_is_explained_on_the_form_with_the_input_kept() {
    let (app, eddie) = app_with_editors().await;
    let mine = edit_fields(&app, 1, &[("title", "My careful retitling")]).await;
    // Another editor removes the event's second source meanwhile.
    let mut theirs = edit_fields(&app, 1, &[]).await;
    let second = app
        .app
        .db
        .event(1)
        .await
        .expect("query")
        .expect("event")
        .citations[1]
        .id;
    theirs.push(("s_remove".to_owned(), second.to_string()));
    let removed = app.post_as(&eddie, "/events/1/edit", &borrowed(&theirs)).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    // Saving again on the newer version (as the conflict page offers) still names it.
    let current = version_of(&app, 1).await;
    let again: Vec<(String, String)> = mine
        .into_iter()
        .map(|(k, v)| {
            if k == "version" {
                (k, current.clone())
            } else {
                (k, v)
            }
        })
        .collect();
    let page = app.post_as(&eddie, "/events/1/edit", &borrowed(&again)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    page.assert_contains("was removed from this event by another editor");
    page.assert_contains("My careful retitling");
    let event = app.app.db.event(1).await.expect("query").expect("event");
    assert_ne!(event.event.title, "My careful retitling", "nothing was saved");
}

#[tokio::test]
async fn a_merge_or_a_deletion_between_the_check_and_the_write_is_followed_or_named() {
    use entente::domain::EventType;
    use entente::domain::edit::{ActorChoice, EventFields, ParticipantInput, RelationInput};
    let (app, _) = app_with_editors().await;
    let db = &app.app.db;
    let eddie = db.user_by_name("Eddie").await.expect("query").expect("user");
    // The form named actor 5 and country 2; both were checked, then merged away (into
    // 4 and 1) before the write.
    let fields = EventFields {
        title: "A meeting".to_owned(),
        event_type: EventType::Meeting,
        agreement_kind: None,
        date: "2024-05".parse().expect("date"),
        date_note: String::new(),
        key_dates: Default::default(),
        place: None,
        place_inference: None,
        date_note_inference: None,
        location_country_id: Some(2),
        summary: String::new(),
        tags: Vec::new(),
        participants: vec![ParticipantInput {
            actor: ActorChoice::Existing(5),
            role: "host".to_owned(),
            title: None,
            inference: None,
        }],
        citations: Vec::new(),
        removed_citations: Vec::new(),
        relations: Vec::new(),
        verification: None,
        verification_reason: String::new(),
    };
    let version = |id| async move { db.actor_record(id).await.expect("query").expect("actor").1 };
    db.merge_actors((5, version(5).await), (4, version(4).await), eddie.id)
        .await
        .expect("merged");
    db.merge_actors((2, version(2).await), (1, version(1).await), eddie.id)
        .await
        .expect("merged");
    let id = db
        .create_event(&fields, eddie.id, "")
        .await
        .expect("saved with what they became");
    let (event, _) = db.event_record(id).await.expect("query").expect("event");
    assert_eq!(event.participants[0].actor_id, 4);
    assert_eq!(event.location_country_id, Some(1));
    let event_version: i64 = version_of(&app, 1).await.parse().expect("number");
    let saved = db
        .update_event(1, event_version, &fields, eddie.id, "")
        .await
        .expect("saved");
    assert!(
        matches!(saved, entente::store::editing::Saved::Saved { .. }),
        "{saved:?}"
    );

    // A related event deleted meanwhile is named, and nothing lands.
    let ada = app.add_user("Ada", "admin", "admin password 1").await;
    let deleted_version: i64 = version_of(&app, 2).await.parse().expect("number");
    db.delete_event(2, deleted_version, ada.id, "a duplicate")
        .await
        .expect("deleted");
    let related = EventFields {
        relations: vec![RelationInput {
            to: 2,
            relation: entente::domain::RelationKind::FollowsFrom,
            note: String::new(),
            inference: None,
        }],
        ..fields
    };
    let before = db.event_count().await.expect("count");
    let refused = db
        .create_event(&related, eddie.id, "")
        .await
        .expect_err("the related event is gone");
    assert_eq!(refused.status_code(), StatusCode::CONFLICT, "{refused:?}");
    assert!(refused.to_string().contains("Related event #2"), "{refused}");
    assert_eq!(
        db.event_count().await.expect("count"),
        before,
        "nothing of the save landed"
    );
}

#[tokio::test]
async fn a_country_known_only_from_a_draft_stays_unknown_to_readers() {
    let (app, eddie) = app_with_editors().await;
    let fields: Vec<(&str, &str)> = event_fields(&[])
        .into_iter()
        .chain([
            ("p_actor", "Atlantis"),
            ("p_role", "host"),
            ("p_title", ""),
            ("p_kind", "country"),
        ])
        .collect();
    let saved = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let atlantis = app.app.db.find_actors("Atlantis").await.expect("query");
    let id = atlantis[0].id;

    let index = app.get("/actors").await;
    index.assert_lacks("Atlantis");
    assert_eq!(
        app.get(&format!("/actors/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_ne!(app.get(&format!("/?actor={id}")).await.status, StatusCode::OK);
    // Editors see it; readers still see the countries of published events.
    app.get_as(&eddie, "/actors").await.assert_contains("Atlantis");
    index.assert_contains("Belarus");
    assert_eq!(app.get("/?country=BY").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_event_form_names_unstorable_characters_and_oversized_rows_with_the_input_kept() {
    let (app, eddie) = app_with_editors().await;
    let before = app.app.db.event_count().await.expect("count");
    let page = app
        .post_as(
            &eddie,
            "/events/new",
            &event_fields(&[("title", "Defense\u{0} talks"), ("place", "Minsk")]),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    page.assert_contains("The field “title” contains the invisible character U+0000");
    page.assert_contains("Minsk");

    // A new actor whose name is only invisible characters.
    let fields: Vec<(&str, &str)> = event_fields(&[])
        .into_iter()
        .chain([
            ("p_actor", "\u{200B}\u{FEFF}"),
            ("p_role", "host"),
            ("p_title", ""),
            ("p_kind", "person"),
        ])
        .collect();
    let page = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("needs at least one visible character");

    // More participant rows than one save takes: refused before any is looked up.
    let mut many: Vec<(&str, &str)> = event_fields(&[]);
    for _ in 0..150 {
        many.extend([
            ("p_actor", "Хренин"),
            ("p_role", "host"),
            ("p_title", ""),
            ("p_kind", ""),
        ]);
    }
    let page = app.post_as(&eddie, "/events/new", &many).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("rows of participants; one save takes at most 100");

    // Long values are named, whichever row they are in.
    let long = "P".repeat(10_001);
    let fields: Vec<(&str, &str)> = event_fields(&[])
        .into_iter()
        .chain([
            ("s_citation", ""),
            ("s_outlet", "BelTA"),
            ("s_title", "A report"),
            ("s_url", ""),
            ("s_published", ""),
            ("s_passage", long.as_str()),
            ("s_claimed", ""),
            ("s_claims", ""),
            ("s_note", ""),
        ])
        .collect();
    let page = app.post_as(&eddie, "/events/new", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("The passage is 10001 characters long; entente keeps at most 10000.");
    assert_eq!(
        app.app.db.event_count().await.expect("count"),
        before,
        "nothing was saved"
    );
}

#[tokio::test]
async fn a_retraction_that_meets_a_newer_version_keeps_its_typed_reason() {
    let (app, eddie) = app_with_editors().await;
    let olga = app.sign_in("Olga", PASSWORD).await;
    let loaded = version_of(&app, 1).await;
    // Olga saves the event meanwhile.
    let theirs = edit_fields(&app, 1, &[("title", "Iran and Belarus sign a defense MOU")]).await;
    let saved = app.post_as(&olga, "/events/1/edit", &borrowed(&theirs)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let reason = "The ministry denied the signing & said so";
    let page = app
        .post_as(
            &eddie,
            "/events/1/status",
            &[("action", "retract"), ("version", &loaded), ("reason", reason)],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    page.assert_contains("Someone changed this event after you loaded the page");
    page.assert_contains("The ministry denied the signing &#38; said so");
    page.assert_contains("Iran and Belarus sign a defense MOU");
    let current = version_of(&app, 1).await;
    page.assert_contains(&format!(r#"name="version" value="{current}""#));
    let retracted = app
        .post_as(
            &eddie,
            "/events/1/status",
            &[("action", "retract"), ("version", &current), ("reason", reason)],
        )
        .await;
    assert_eq!(retracted.status, StatusCode::SEE_OTHER, "{}", retracted.body);
}

//! The read API: the same events in the same order as the pages, answers that match the
//! OpenAPI document, JSON errors naming the parameter, the pages' visibility rules, and
//! the cache and cross-origin headers.

use crate::support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use support::editing::version_of;
use support::{Page, demo_app, fixture_app};

const PASSWORD: &str = "correct horse battery staple";

fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", page.body))
}

/// The events a timeline page lists, in order.
fn page_ids(page: &Page) -> Vec<i64> {
    page.body
        .split(r#"class="entry-title"><a href="/events/"#)
        .skip(1)
        .map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().expect("an event id")
        })
        .collect()
}

fn api_ids(list: &Value) -> Vec<i64> {
    list["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect()
}

/// The path part of an absolute address the API gave.
fn local(url: &str) -> &str {
    let rest = url.strip_prefix("http://").expect("absolute address");
    &rest[rest.find('/').expect("a path")..]
}

/// Views of the demo collection: every filter alone and in combination, each sort.
const VIEWS: &[&str] = &[
    "",
    "order=asc",
    "country=BY",
    "country=BY&country=IR",
    "country=IR&type=agreement",
    "type=meeting&type=visit",
    "tag=drones",
    "tag=drones&order=asc",
    "outlet=Al-Monitor",
    "from=2023&to=2023-12",
    "from=2023-07&country=BY",
    "to=2022",
    "actor=Khrenin",
    "actor=2",
    "q=drones",
    "q=drones&order=asc",
    "q=shahed%20OR%20plant",
    "q=%22defense%20industry%22",
    "q=drone*&country=RU",
];

#[tokio::test]
async fn the_api_lists_the_same_events_in_the_same_order_as_the_timeline() {
    let app = demo_app().await;
    let mut nonempty = 0;
    for view in VIEWS {
        let query = if view.is_empty() {
            "limit=500".to_owned()
        } else {
            format!("{view}&limit=500")
        };
        let html = app.get(&format!("/?{query}")).await;
        // Other spellings redirect to the canonical view; follow once.
        let html = match html.location() {
            Some(location) => app.get(location).await,
            None => html,
        };
        assert_eq!(html.status, StatusCode::OK, "{view}: {}", html.body);
        let api = app.get(&format!("/api/v1/events?{query}")).await;
        assert_eq!(api.status, StatusCode::OK, "{view}: {}", api.body);
        let list = json_of(&api);
        let ids = api_ids(&list);
        assert_eq!(ids, page_ids(&html), "{view}: same events, same order");
        assert_eq!(list["total"].as_i64(), Some(ids.len() as i64), "{view}");
        nonempty += usize::from(!ids.is_empty());
    }
    assert!(nonempty >= VIEWS.len() - 1, "the table exercises real results");
}

#[tokio::test]
async fn pages_of_a_view_follow_next_links_and_add_up_to_the_whole_view() {
    let app = demo_app().await;
    for view in ["", "country=BY&order=asc", "q=drones"] {
        let whole = json_of(&app.get(&format!("/api/v1/events?{view}&limit=500")).await);
        let whole = api_ids(&whole);
        let mut seen = Vec::new();
        let mut next = Some(format!("/api/v1/events?{view}&limit=4&include=facets"));
        let mut pages = 0;
        while let Some(address) = next {
            let page = app.get(&address).await;
            assert_eq!(page.status, StatusCode::OK, "{address}: {}", page.body);
            let list = json_of(&page);
            assert!(list["facets"]["countries"].is_array(), "include=facets is kept");
            seen.extend(api_ids(&list));
            if pages > 0 {
                let previous = list["previous"].as_str().expect("a link back");
                let back = json_of(&app.get(local(previous)).await);
                assert_eq!(back["events"].as_array().map(Vec::len), Some(4));
            } else {
                assert!(list["previous"].is_null(), "the first page has no previous");
            }
            next = list["next"].as_str().map(|url| local(url).to_owned());
            pages += 1;
        }
        assert!(pages > 1, "{view}: several pages");
        assert_eq!(seen, whole, "{view}: every event once, in order");
    }
}

/// The OpenAPI document's schema for the answer to `path` (as the document writes it,
/// `/api/v1/events/{id}`) with `status`; every object made strict, so an answer with
/// a field the document does not declare fails as surely as one missing a field.
fn declared_schema(document: &Value, path: &str, status: u16) -> Value {
    declared_schema_of(document, "get", path, status)
}

/// The same for the operation `method` (`get`, `post`, `put`) of `path`.
fn declared_schema_of(document: &Value, method: &str, path: &str, status: u16) -> Value {
    let operation = &document["paths"][path][method];
    let schema = operation["responses"][status.to_string()]["content"]["application/json"]["schema"].clone();
    assert!(
        schema.is_object(),
        "{path} declares a JSON answer with status {status}"
    );
    let mut components = document["components"]["schemas"].clone();
    // Schemas flattened into another (allOf) are checked strictly as part of it.
    let composed: Vec<String> = components
        .as_object()
        .expect("schemas")
        .values()
        .filter_map(|s| s["allOf"].as_array())
        .flatten()
        .filter_map(|part| part["$ref"].as_str())
        .map(|r| r.trim_start_matches("#/components/schemas/").to_owned())
        .collect();
    for (name, schema) in components.as_object_mut().expect("schemas") {
        if composed.contains(name) {
            continue;
        }
        if schema.get("properties").is_some() || schema.get("allOf").is_some() {
            schema["unevaluatedProperties"] = json!(false);
        }
    }
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": {"schemas": components},
    });
    for (key, value) in schema.as_object().expect("schema") {
        root[key] = value.clone();
    }
    root
}

/// What is wrong with `answer` by the document's schema for `path` and `status`.
fn schema_errors(document: &Value, path: &str, status: u16, answer: &Value) -> Vec<String> {
    let schema = declared_schema(document, path, status);
    let validator = jsonschema::validator_for(&schema).expect("the document's schema compiles");
    validator
        .iter_errors(answer)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Checks a write's answer against the document's schema for `method` and `path`.
fn assert_valid_write(document: &Value, method: &str, path: &str, page: &Page) {
    let schema = declared_schema_of(document, method, path, page.status.as_u16());
    let validator = jsonschema::validator_for(&schema).expect("the document's schema compiles");
    let answer = json_of(page);
    let errors: Vec<String> = validator
        .iter_errors(&answer)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} ({}): {errors:#?}\n{answer:#}",
        page.status
    );
}

fn assert_valid(document: &Value, path: &str, page: &Page) {
    let answer = json_of(page);
    let errors = schema_errors(document, path, page.status.as_u16(), &answer);
    assert!(
        errors.is_empty(),
        "{path} ({}): {errors:#?}\n{answer:#}",
        page.status
    );
}

#[tokio::test]
async fn every_answer_matches_the_openapi_document() {
    let app = fixture_app().await;
    let document = json_of(&app.get("/api/v1/openapi.json").await);
    assert_eq!(document["openapi"], "3.1.0");
    let cases = [
        ("/api/v1/events", "/api/v1/events"),
        ("/api/v1/events", "/api/v1/events?include=facets&limit=2"),
        ("/api/v1/events", "/api/v1/events?q=drones&country=IR"),
        ("/api/v1/events", "/api/v1/events?country=XX"),
        ("/api/v1/events/{id}", "/api/v1/events/1"),
        ("/api/v1/events/{id}", "/api/v1/events/2"),
        ("/api/v1/events/{id}", "/api/v1/events/999"),
        ("/api/v1/actors", "/api/v1/actors"),
        ("/api/v1/actors/{id}", "/api/v1/actors/1"),
        ("/api/v1/actors/{id}", "/api/v1/actors/3"),
        ("/api/v1/actors/{id}", "/api/v1/actors/999"),
        ("/api/v1/sources", "/api/v1/sources"),
        ("/api/v1/sources", "/api/v1/sources?limit=1"),
        ("/api/v1/sources", "/api/v1/sources?limit=0"),
        ("/api/v1/sources/{id}", "/api/v1/sources/1"),
        ("/api/v1/sources/{id}", "/api/v1/sources/999"),
        ("/api/v1/tags", "/api/v1/tags"),
        ("/api/v1/tags/{name}", "/api/v1/tags/drones"),
        ("/api/v1/tags/{name}", "/api/v1/tags/nothing"),
        ("/api/v1/outlets", "/api/v1/outlets"),
        ("/api/v1/outlets/{name}", "/api/v1/outlets/The%20Cradle"),
        ("/api/v1/outlets/{name}", "/api/v1/outlets/Nobody"),
    ];
    for (path, address) in cases {
        let page = app.get(address).await;
        assert_eq!(
            page.headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
            Some(&b"application/json"[..]),
            "{address}"
        );
        assert_valid(&document, path, &page);
    }
    // The check catches drift: a field the document does not declare, one it requires
    // missing, a value of the wrong kind, deep inside a flattened record.
    let event = json_of(&app.get("/api/v1/events/1").await);
    let path = "/api/v1/events/{id}";
    assert!(schema_errors(&document, path, 200, &event).is_empty());
    let mut extra = event.clone();
    extra["undeclared"] = json!(1);
    assert!(
        !schema_errors(&document, path, 200, &extra).is_empty(),
        "an undeclared field"
    );
    let mut missing = event.clone();
    missing.as_object_mut().expect("object").remove("title");
    assert!(
        !schema_errors(&document, path, 200, &missing).is_empty(),
        "a missing field"
    );
    let mut wrong = event.clone();
    wrong["type"] = json!("party");
    assert!(
        !schema_errors(&document, path, 200, &wrong).is_empty(),
        "an unknown type"
    );
    let mut deep = event;
    deep["citations"][0]["claims"] = json!([{"topic": "x"}]);
    assert!(
        !schema_errors(&document, path, 200, &deep).is_empty(),
        "a claim without a value"
    );

    // Every path of the document was exercised (the writes' in the write tests).
    let paths: Vec<&String> = document["paths"].as_object().expect("paths").keys().collect();
    for path in paths {
        assert!(
            cases.iter().any(|(p, _)| p == path) || path == "/api/v1/events/{id}/status",
            "{path} untested"
        );
    }
}

#[tokio::test]
async fn an_event_gives_its_record_sources_claims_and_date_bounds() {
    let app = fixture_app().await;
    let event = json_of(&app.get("/api/v1/events/1").await);
    assert_eq!(event["title"], "Iran and Belarus sign defense MOU in Tehran");
    assert_eq!(event["type"], "agreement");
    assert_eq!(event["date"], "2023-07-31");
    assert_eq!(event["date_info"]["earliest"], "2023-07-31");
    assert_eq!(event["date_info"]["precision"], "day");
    assert_eq!(event["status"], "published");
    assert!(
        event["url"]
            .as_str()
            .expect("url")
            .ends_with("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
    );
    let participants = event["actors"].as_array().expect("participants");
    assert!(participants.iter().any(|p| p["name"] == "Viktor Khrenin"
        && p["role"] == "signatory"
        && p["title"] == "Defense Minister of Belarus"));
    // Each citation names a source the event's `sources` describe.
    let sources = event["sources"].as_array().expect("sources");
    for citation in event["citations"].as_array().expect("citations") {
        assert!(
            sources.iter().any(|s| s["id"] == citation["source_id"]),
            "{citation}"
        );
    }
    assert!(
        event["citations"]
            .as_array()
            .expect("citations")
            .iter()
            .any(|c| c["claimed_date"] == "2023-06"),
        "the source that dates the MOU to June"
    );
    // The MOU records that it follows from the visit; the visit shows it as the inverse.
    let relation = &event["relations"][0];
    assert_eq!(relation["relation"], "follows_from");
    let visit = json_of(
        &app.get(&format!("/api/v1/events/{}", relation["to_event_id"]))
            .await,
    );
    assert_eq!(visit["title"], "Khrenin visits Tehran");
    assert_eq!(visit["inverse_relations"][0]["from_event_id"], 1);
    assert_eq!(visit["inverse_relations"][0]["label"], "Led to");
}

#[tokio::test]
async fn a_wrong_parameter_is_a_json_error_that_names_it() {
    let app = fixture_app().await;
    let cases = [
        ("country=XX", "country"),
        ("country=Iran", "country"),
        ("type=party", "type"),
        ("from=someday", "from"),
        ("from=2024&to=2023", "to"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=zzz", "cursor"),
        ("order=sideways", "order"),
        ("order=relevance", "order"),
        ("q=%22unclosed", "q"),
        ("tag=nothing-like-it", "tag"),
        ("outlet=Nobody", "outlet"),
        ("actor=Nobody%20Known", "actor"),
        ("actor=999", "actor"),
        ("status=draft", "status"),
        ("include=everything", "include"),
        ("tag=drones&tag=diplomacy", "tag"),
    ];
    for (query, parameter) in cases {
        let page = app.get(&format!("/api/v1/events?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}: {}", page.body);
        let error = &json_of(&page)["error"];
        assert_eq!(error["status"], 400, "{query}");
        assert_eq!(error["parameter"], parameter, "{query}: {error}");
        assert!(error["message"].as_str().is_some_and(|m| m.len() > 10), "{query}");
    }
    let unknown = app.get("/api/v1/nothing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&unknown)["error"]["status"], 404);
    let not_an_id = app.get("/api/v1/events/abc").await;
    assert_eq!(not_an_id.status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&not_an_id)["error"]["status"], 404);
    let delete = app
        .send(
            Request::delete("/api/v1/events")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(delete.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(json_of(&delete)["error"]["status"], 405);
}

#[tokio::test]
async fn the_api_shows_only_what_readers_of_the_pages_see() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let mut draft = None;
    for id in 1..20 {
        if let Some((record, _)) = app.app.db.event_record(id).await.expect("read")
            && record.status == entente::domain::EventStatus::Draft
        {
            draft = Some(id);
        }
    }
    let draft = draft.expect("the fixture has a draft");
    let hidden = app.get(&format!("/api/v1/events/{draft}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    // Even an editor's session does not show drafts through the API.
    let as_editor = app.get_as(&eddie, &format!("/api/v1/events/{draft}")).await;
    assert_eq!(as_editor.status, StatusCode::NOT_FOUND);
    let listed = json_of(&app.get_as(&eddie, "/api/v1/events?limit=500").await);
    assert!(!api_ids(&listed).contains(&draft));

    // A retracted event is gone, with the reason.
    let version = version_of(&app, 1).await;
    let retracted = app
        .post_as(
            &eddie,
            "/events/1/status",
            &[
                ("action", "retract"),
                ("reason", "Sources withdrew the report"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(retracted.status, StatusCode::SEE_OTHER);
    let gone = app.get("/api/v1/events/1").await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(
        json_of(&gone)["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Sources withdrew the report"))
    );
    // Relations to it are no longer shown on the events that record them.
    let visit = json_of(&app.get("/api/v1/events/2").await);
    assert!(
        visit["inverse_relations"].as_array().is_some_and(Vec::is_empty),
        "{visit}"
    );
    assert!(!api_ids(&json_of(&app.get("/api/v1/events?limit=500").await)).contains(&1));

    // An actor merged into another leads to it.
    let actor_version = support::editing::actor_version(&app, 4).await;
    let merged = app
        .post_as(
            &eddie,
            "/actors/4/merge",
            &[
                ("into", "Amir Nasirzadeh"),
                ("confirm", "1"),
                ("version", &actor_version),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let old = app.get("/api/v1/actors/4").await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.location(), Some("/api/v1/actors/5"));
    let actor = json_of(&app.get("/api/v1/actors/5").await);
    assert!(
        actor["aliases"]
            .as_array()
            .expect("aliases")
            .contains(&json!("Mohammad Reza Ashtiani"))
    );
}

#[tokio::test]
async fn a_save_shows_in_the_api_at_once() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let before = json_of(&app.get("/api/v1/events/2").await);
    let listed = app.get("/api/v1/events").await;
    let fields = support::editing::edit_fields(&app, 2, &[("title", "Khrenin visits Tehran again")]).await;
    let saved = app
        .post_as(&eddie, "/events/2/edit", &support::editing::borrowed(&fields))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = json_of(&app.get("/api/v1/events/2").await);
    assert_eq!(after["title"], "Khrenin visits Tehran again");
    assert_eq!(
        after["version"].as_i64(),
        before["version"].as_i64().map(|v| v + 1)
    );
    let listed_after = app.get("/api/v1/events").await;
    assert_ne!(
        listed.headers.get(header::ETAG),
        listed_after.headers.get(header::ETAG)
    );
    listed_after.assert_contains("Khrenin visits Tehran again");
}

#[tokio::test]
async fn answers_carry_etags_cache_control_and_allow_any_origin() {
    let app = fixture_app().await;
    for address in ["/api/v1/events?country=IR", "/api/v1/events/1", "/api/v1/tags"] {
        let first = app.get(address).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(
            first
                .headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.as_bytes()),
            Some(&b"*"[..])
        );
        assert_eq!(
            first.headers.get(header::CACHE_CONTROL).map(|v| v.as_bytes()),
            Some(&b"no-cache"[..])
        );
        let etag = first.headers.get(header::ETAG).expect("an ETag").clone();
        let again = app
            .send(
                Request::get(address)
                    .header(header::IF_NONE_MATCH, etag.clone())
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{address}");
        assert!(again.body.is_empty());
        assert_eq!(again.headers.get(header::ETAG), Some(&etag));
        assert_eq!(
            again
                .headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.as_bytes()),
            Some(&b"*"[..])
        );
    }
    let error = app.get("/api/v1/events?country=XX").await;
    assert_eq!(
        error
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.as_bytes()),
        Some(&b"*"[..])
    );
}

#[tokio::test]
async fn lists_of_actors_sources_tags_and_outlets_hold_what_readers_see() {
    let app = fixture_app().await;
    let actors = json_of(&app.get("/api/v1/actors").await);
    let khrenin = actors["actors"]
        .as_array()
        .expect("actors")
        .iter()
        .find(|a| a["name"] == "Viktor Khrenin")
        .expect("Khrenin");
    assert!(
        khrenin["aliases"].as_array().is_some_and(|a| !a.is_empty()),
        "{khrenin}"
    );
    let actor = json_of(
        &app.get(local(khrenin["api_url"].as_str().expect("api_url")))
            .await,
    );
    assert_eq!(actor["kind"], "person");
    let events = json_of(
        &app.get(local(actor["events_api_url"].as_str().expect("events")))
            .await,
    );
    assert_eq!(events["total"], actor["event_count"]);

    let tags = json_of(&app.get("/api/v1/tags").await);
    for tag in tags["tags"].as_array().expect("tags") {
        let events = json_of(
            &app.get(local(tag["events_api_url"].as_str().expect("events")))
                .await,
        );
        assert_eq!(events["total"], tag["event_count"], "{tag}");
    }
    let outlets = json_of(&app.get("/api/v1/outlets").await);
    for outlet in outlets["outlets"].as_array().expect("outlets") {
        let events = json_of(
            &app.get(local(outlet["events_api_url"].as_str().expect("events")))
                .await,
        );
        assert_eq!(events["total"], outlet["event_count"], "{outlet}");
        let item = json_of(&app.get(local(outlet["api_url"].as_str().expect("item"))).await);
        assert_eq!(
            item["sources"].as_array().map(Vec::len),
            outlet["source_count"].as_u64().map(|n| n as usize),
            "{outlet}"
        );
    }
    let other_case = app.get("/api/v1/outlets/the%20cradle").await;
    assert_eq!(other_case.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(other_case.location(), Some("/api/v1/outlets/The%20Cradle"));

    // Sources page by id; together the pages list each source once.
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/sources?limit=1".to_owned());
    while let Some(address) = next {
        let page = json_of(&app.get(&address).await);
        for source in page["sources"].as_array().expect("sources") {
            let id = source["id"].as_i64().expect("id");
            let item = json_of(&app.get(&format!("/api/v1/sources/{id}")).await);
            assert!(item["events"].as_array().is_some_and(|e| !e.is_empty()), "{item}");
            seen.push(id);
        }
        next = page["next"].as_str().map(|u| local(u).to_owned());
    }
    let all = json_of(&app.get("/api/v1/sources").await);
    let all: Vec<i64> = all["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(seen, all);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "by id");
}

#[tokio::test]
async fn the_api_guide_describes_every_endpoint_and_the_footer_links_it() {
    let app = fixture_app().await;
    let guide = app.get("/api").await;
    assert_eq!(guide.status, StatusCode::OK);
    let document = json_of(&app.get("/api/v1/openapi.json").await);
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            guide.assert_contains(&format!("<code>{} {path}</code>", method.to_uppercase()));
        }
    }
    guide.assert_contains("<code>country</code>");
    guide.assert_contains(r#"href="/api/v1/openapi.json""#);
    guide.assert_contains(r#"href="/data/datapackage.json""#);
    app.get("/")
        .await
        .assert_contains(r#"<a href="/api">Data and API</a>"#);
}

#[tokio::test]
async fn the_api_and_the_pages_never_share_a_cached_answer() {
    let app = fixture_app().await;
    let kind = |page: &Page| {
        page.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    for (page, api) in [
        ("/tags", "/api/v1/tags"),
        ("/actors", "/api/v1/actors"),
        ("/outlets", "/api/v1/outlets"),
        ("/tags/drones", "/api/v1/tags/drones"),
    ] {
        // Each asked twice, in both orders, so that the second answer comes from the cache.
        for _ in 0..2 {
            assert!(kind(&app.get(page).await).starts_with("text/html"), "{page}");
            assert!(kind(&app.get(api).await).starts_with("application/json"), "{api}");
        }
    }
    let api = app.get("/api/v1/events/2").await;
    assert!(kind(&api).starts_with("application/json"));
    let page = app.get("/events/2").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT, "{}", page.body);
}

/// A request with a JSON body and, when given, a token and an If-Match version.
async fn write(
    app: &support::TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    version: Option<i64>,
    body: Value,
) -> Page {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(version) = version {
        request = request.header(header::IF_MATCH, format!("\"{version}\""));
    }
    app.send(request.body(Body::from(body.to_string())).expect("request"))
        .await
}

fn new_event() -> Value {
    json!({
        "title": "Belarusian delegation tours a drone plant in Isfahan",
        "type": "visit",
        "date": "2024-03",
        "location_country": "IR",
        "summary": "The delegation *toured* the plant.",
        "tags": ["drones"],
        "actors": [{"actor": "Хренин", "role": "visitor", "title": "Defense Minister"}],
        "citations": [{
            "outlet": "BelTA",
            "title": "Belarusian military delegation visits Iran",
            "url": "https://example.org/belta/visit",
            "published": "2024-04-02",
            "passage": "The delegation visited a plant in Isfahan in March.",
            "claimed_date": "2024-03",
            "claims": [{"topic": "Drones seen", "value": "about 20", "attributed_to": "BelTA"}]
        }],
        "relations": [{"event_id": 2, "relation": "follows_from"}],
        "edit_summary": "From the BelTA report"
    })
}

#[tokio::test]
async fn an_editor_writes_events_with_a_token_under_the_forms_rules() {
    let app = fixture_app().await;
    let document = json_of(&app.get("/api/v1/openapi.json").await);
    let user = app.add_user("Eddie", "editor", PASSWORD).await;
    let (_, token) = app.app.db.create_token(user.id, "script").await.expect("token");

    // Create: a draft, with its revision by the token's owner and the request's summary.
    let created = write(&app, "POST", "/api/v1/events", Some(&token), None, new_event()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_valid_write(&document, "post", "/api/v1/events", &created);
    let event = json_of(&created);
    let id = event["id"].as_i64().expect("id");
    assert_eq!(created.location(), Some(format!("/api/v1/events/{id}").as_str()));
    assert_eq!(event["record"]["status"], "draft");
    assert_eq!(
        event["record"]["actors"][0]["name"], "Viktor Khrenin",
        "found by an alias"
    );
    assert_eq!(event["record"]["citations"][0]["claims"][0]["value"], "about 20");
    let history = app
        .app
        .db
        .revisions_of(entente::domain::Entity::Event, id)
        .await
        .expect("history");
    assert_eq!(history[0].summary, "From the BelTA report");
    assert_eq!(history[0].editor.as_deref(), Some("Eddie"));
    // Readers do not see a draft.
    assert_eq!(
        app.get(&format!("/api/v1/events/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The form's rules, with each field's message.
    let mut bad = new_event();
    bad["date"] = json!("2023-02-30");
    bad["actors"][0]["actor"] = json!("Nobody Known At All");
    let refused = write(&app, "POST", "/api/v1/events", Some(&token), None, bad).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_valid_write(&document, "post", "/api/v1/events", &refused);
    let fields: Vec<String> = json_of(&refused)["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().expect("field").to_owned())
        .collect();
    assert!(fields.contains(&"date".to_owned()), "{fields:?}");
    assert!(
        fields.iter().any(|f| f.starts_with("p-") && f.ends_with("actor")),
        "{fields:?}"
    );
    let not_json = write(
        &app,
        "POST",
        "/api/v1/events",
        Some(&token),
        None,
        json!({"titel": "x"}),
    )
    .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST, "{}", not_json.body);

    // Edit at the version read; a stale one is a 409 with both versions.
    let version = event["version"].as_i64().expect("version");
    let mut edited = new_event();
    edited["title"] = json!("Belarusian delegation tours two drone plants");
    edited["citations"][0]["citation_id"] = json!(null);
    let put = write(
        &app,
        "PUT",
        &format!("/api/v1/events/{id}"),
        Some(&token),
        Some(version),
        edited.clone(),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_valid_write(&document, "put", "/api/v1/events/{id}", &put);
    let saved = json_of(&put);
    assert_eq!(saved["version"].as_i64(), Some(version + 1));
    assert_eq!(
        saved["record"]["citations"].as_array().map(Vec::len),
        Some(1),
        "replaced, not added"
    );
    let stale = write(
        &app,
        "PUT",
        &format!("/api/v1/events/{id}"),
        Some(&token),
        Some(version),
        edited.clone(),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_valid_write(&document, "put", "/api/v1/events/{id}", &stale);
    let conflict = json_of(&stale);
    assert_eq!(conflict["sent_version"].as_i64(), Some(version));
    assert_eq!(conflict["current_version"].as_i64(), Some(version + 1));
    assert_eq!(
        conflict["current"]["title"],
        "Belarusian delegation tours two drone plants"
    );
    let unversioned = write(
        &app,
        "PUT",
        &format!("/api/v1/events/{id}"),
        Some(&token),
        None,
        edited,
    )
    .await;
    assert_eq!(unversioned.status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&unversioned)["error"]["parameter"], "If-Match");

    // Publish: readers see it.
    let publish = json!({"action": "publish", "version": version + 1});
    let published = write(
        &app,
        "POST",
        &format!("/api/v1/events/{id}/status"),
        Some(&token),
        None,
        publish,
    )
    .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_valid_write(&document, "post", "/api/v1/events/{id}/status", &published);
    assert_eq!(
        app.get(&format!("/api/v1/events/{id}")).await.status,
        StatusCode::OK
    );
    let no_reason = json!({"action": "retract", "version": version + 2});
    let refused = write(
        &app,
        "POST",
        &format!("/api/v1/events/{id}/status"),
        Some(&token),
        None,
        no_reason,
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn writes_need_a_live_token() {
    let app = fixture_app().await;
    let document = json_of(&app.get("/api/v1/openapi.json").await);
    let user = app.add_user("Eddie", "editor", PASSWORD).await;
    let (token_id, token) = app.app.db.create_token(user.id, "script").await.expect("token");
    let none = write(&app, "POST", "/api/v1/events", None, None, new_event()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_valid_write(&document, "post", "/api/v1/events", &none);
    assert!(none.headers.get(header::WWW_AUTHENTICATE).is_some());
    let wrong = write(
        &app,
        "POST",
        "/api/v1/events",
        Some("entente_0000"),
        None,
        new_event(),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.app
            .db
            .revoke_token(token_id, Some(user.id))
            .await
            .expect("revoke")
    );
    let revoked = write(&app, "POST", "/api/v1/events", Some(&token), None, new_event()).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED, "{}", revoked.body);
    // A signed-in session is not a token: the API takes no cookie for writes.
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let request = Request::post("/api/v1/events")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &eddie.cookie)
        .body(Body::from(new_event().to_string()))
        .expect("request");
    assert_eq!(app.send(request).await.status, StatusCode::UNAUTHORIZED);
    let events = app.app.db.event_count().await.expect("count");
    assert_eq!(events, 7, "nothing was written");
}

#[tokio::test]
async fn an_editor_makes_a_token_on_the_account_page_sees_it_once_and_revokes_it() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let page = app.get_as(&eddie, "/account").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("You have no token yet.");
    let made = app
        .post_as(&eddie, "/account/tokens", &[("name", "Import script")])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let shown = app.get_as(&eddie, "/account").await;
    assert_eq!(
        shown.headers.get(header::CACHE_CONTROL).map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    let start = shown.position("<code class=\"token\">") + "<code class=\"token\">".len();
    let token: String = shown.body[start..].chars().take_while(|c| *c != '<').collect();
    assert!(token.starts_with("entente_"), "{token}");
    shown.assert_contains("Import script");
    let again = app.get_as(&eddie, "/account").await;
    again.assert_lacks(&token);
    // The token writes; once revoked on the page, it no longer does.
    let created = write(&app, "POST", "/api/v1/events", Some(&token), None, new_event()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = app.app.db.tokens(None).await.expect("tokens")[0].id;
    let revoked = app
        .post_as(&eddie, &format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    app.get_as(&eddie, "/account").await.assert_contains("revoked");
    let refused = write(&app, "POST", "/api/v1/events", Some(&token), None, new_event()).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // Readers have no account page.
    assert_eq!(app.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_command_line_makes_lists_and_revokes_tokens() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
            .arg("token")
            .arg("--database")
            .arg(app.database())
            .args(args)
            .output()
            .expect("runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, token, said) = run(&["create", "Eddie", "--name", "nightly import"]);
    assert!(ok, "{said}");
    let token = token.trim().to_owned();
    assert!(token.starts_with("entente_"), "{token}");
    assert!(said.contains("shown this once"), "{said}");
    let (ok, list, _) = run(&["list"]);
    assert!(ok);
    assert!(
        list.contains("Eddie") && list.contains("nightly import") && list.contains("active"),
        "{list}"
    );
    assert!(!list.contains(&token), "the list never shows a token");
    let created = write(&app, "POST", "/api/v1/events", Some(&token), None, new_event()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = list
        .trim_start_matches('#')
        .split('\t')
        .next()
        .expect("id")
        .to_owned();
    let (ok, revoked, said) = run(&["revoke", &id]);
    assert!(ok, "{said}");
    assert!(revoked.contains("revoked"), "{revoked}");
    let refused = write(&app, "POST", "/api/v1/events", Some(&token), None, new_event()).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let (ok, _, said) = run(&["revoke", &id]);
    assert!(!ok, "a token is revoked once");
    assert!(said.contains("no active token"), "{said}");
}

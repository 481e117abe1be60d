//! Files and feeds of any timeline view: JSON in the API's shape, iCalendar, TimelineJS
//! and Atom; each parses back and holds the view's events (CSV is in filters.rs).

use crate::support;

use axum::http::{StatusCode, header};
use serde_json::Value;
use support::{Page, TestApp, demo_app, fixture_app};

const PASSWORD: &str = "correct horse battery staple";

fn json_of(page: &Page) -> Value {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", page.body))
}

/// The ids of a view, in order, as the API lists them (the whole view on one page).
async fn view_ids(app: &TestApp, query: &str) -> Vec<i64> {
    let list = json_of(&app.get(&format!("/api/v1/events?{query}&limit=500")).await);
    list["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect()
}

/// The number in `event-12` or `event-12@host`.
fn id_in(uid: &str) -> i64 {
    let digits: String = uid
        .trim_start_matches("event-")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("an event id")
}

const VIEWS: &[&str] = &["country=BY", "type=agreement&order=asc", "q=drones", "tag=drones"];

#[tokio::test]
async fn json_and_timelinejs_files_hold_the_whole_view_in_its_order() {
    let app = demo_app().await;
    for view in VIEWS {
        let expected = view_ids(&app, view).await;
        assert!(!expected.is_empty(), "{view}");
        let json = app.get(&format!("/timeline.json?{view}")).await;
        assert_eq!(
            json.headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.as_bytes()),
            Some(&b"*"[..])
        );
        let json = json_of(&json);
        let ids: Vec<i64> = json["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(ids, expected, "{view}: JSON");
        assert!(
            json["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Timeline: ")),
            "{json}"
        );

        let timeline = json_of(&app.get(&format!("/timeline.timelinejs.json?{view}")).await);
        let events = timeline["events"].as_array().expect("events");
        let ids: Vec<i64> = events
            .iter()
            .map(|e| id_in(e["unique_id"].as_str().expect("unique_id")))
            .collect();
        assert_eq!(ids, expected, "{view}: TimelineJS");
        for event in events {
            assert!(event["start_date"]["year"].is_i64(), "{event}");
            assert!(
                event["text"]["headline"]
                    .as_str()
                    .is_some_and(|h| h.starts_with("<a href="))
            );
        }
    }
}

#[tokio::test]
async fn timelinejs_gives_only_the_known_parts_of_a_date_and_escapes_text() {
    let app = fixture_app().await;
    let timeline = json_of(&app.get("/timeline.timelinejs.json").await);
    let events = timeline["events"].as_array().expect("events");
    let by_id = |id: i64| {
        events
            .iter()
            .find(|e| id_in(e["unique_id"].as_str().expect("uid")) == id)
            .unwrap_or_else(|| panic!("event {id} in {timeline}"))
    };
    // The MOU is dated to a day.
    let mou = by_id(1);
    assert_eq!(mou["start_date"]["day"], 31);
    assert_eq!(mou["start_date"]["display_date"], "31 Jul 2023");
    // A month-precision date gives no day.
    let month = events
        .iter()
        .find(|e| e["start_date"]["month"].is_i64() && e["start_date"]["day"].is_null())
        .expect("an event known to the month");
    assert!(month["start_date"]["display_date"].is_string());

    // A title with markup reaches TimelineJS (which renders HTML) escaped.
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let fields =
        support::editing::edit_fields(&app, 1, &[("title", "MOU <img src=x onerror=alert(1)>")]).await;
    let saved = app
        .post_as(&eddie, "/events/1/edit", &support::editing::borrowed(&fields))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let file = app.get("/timeline.timelinejs.json").await;
    assert!(!file.body.contains("<img"), "{}", file.body);
    file.assert_contains("MOU &#60;img src=x onerror=alert(1)&#62;");
}

#[tokio::test]
async fn the_calendar_parses_back_with_all_day_entries_over_each_dates_days() {
    let app = fixture_app().await;
    let page = app.get("/timeline.ics").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
        Some(&b"text/calendar; charset=utf-8"[..])
    );
    let calendar: icalendar::Calendar = page.body.parse().expect("the calendar parses");
    let expected = view_ids(&app, "").await;
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(icalendar::CalendarComponent::as_event)
        .collect();
    use icalendar::Component;
    let uids: Vec<i64> = events.iter().map(|e| id_in(e.get_uid().expect("uid"))).collect();
    assert_eq!(uids, expected, "every event once, in the view's order");
    let line = |event: &icalendar::Event, key: &str| {
        event
            .properties()
            .get(key)
            .map(|p| p.value().to_owned())
            .unwrap_or_else(|| panic!("{key} in {event:?}"))
    };
    let mou = events
        .iter()
        .find(|e| e.get_uid().is_some_and(|u| id_in(u) == 1))
        .expect("the MOU");
    assert_eq!(line(mou, "DTSTART"), "20230731");
    assert_eq!(
        line(mou, "DTEND"),
        "20230801",
        "the end is the day after, exclusive"
    );
    assert!(line(mou, "DESCRIPTION").contains("Date: 31 Jul 2023"));
    // Dates known to a month span the month and say so.
    let month = events
        .iter()
        .find(|e| line(e, "DESCRIPTION").contains("known to the month"))
        .expect("an event known to the month");
    assert!(line(month, "DTSTART").ends_with("01"), "{month:?}");
    // A date open at one end is one day, not a span to the end of the calendar: the day
    // the timeline files it under (`../2023-05`: the last of May 2023).
    let open = events
        .iter()
        .find(|e| line(e, "SUMMARY") == "Gomel plant retrofits drones")
        .expect("the open-start event");
    assert_eq!(line(open, "DTSTART"), "20230531");
    assert_eq!(line(open, "DTEND"), "20230601");
    assert!(line(open, "DESCRIPTION").contains("open at one end"));
}

#[tokio::test]
async fn the_feed_parses_back_and_lists_the_latest_changes_first_with_stable_ids() {
    let app = fixture_app().await;
    let feed_of = |page: Page| {
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        atom_syndication::Feed::read_from(page.body.as_bytes()).expect("the feed parses")
    };
    let before = feed_of(app.get("/timeline.atom?country=IR").await);
    assert_eq!(before.title().as_str(), "entente: Timeline: Country: Iran");
    let ids: Vec<String> = before.entries().iter().map(|e| e.id().to_owned()).collect();
    let mut in_view: Vec<i64> = view_ids(&app, "country=IR").await;
    in_view.sort_unstable();
    let mut listed: Vec<i64> = ids
        .iter()
        .map(|id| id.rsplit('/').next().expect("id").parse().expect("number"))
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, in_view, "the view's events");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("http://") && id.contains("/events/"))
    );

    // Editing an event brings it to the top; its id stays the same although its title
    // (and so its address) changed.
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let last = ids.last().expect("entries").clone();
    let last_id: i64 = last.rsplit('/').next().expect("id").parse().expect("number");
    let fields = support::editing::edit_fields(&app, last_id, &[("title", "A corrected title")]).await;
    let saved = app
        .post_as(
            &eddie,
            &format!("/events/{last_id}/edit"),
            &support::editing::borrowed(&fields),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = feed_of(app.get("/timeline.atom?country=IR").await);
    let first = &after.entries()[0];
    assert_eq!(first.id(), last);
    assert_eq!(first.title().as_str(), "A corrected title");
    assert!(first.updated() >= after.entries()[1].updated());
    assert_eq!(after.updated(), first.updated());

    // The order and page of a view do not apply to its feed.
    let other = app.get("/timeline.atom?country=IR&order=asc&limit=5").await;
    assert_eq!(other.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(other.location(), Some("/timeline.atom?country=IR"));
}

#[tokio::test]
async fn every_view_and_subject_page_links_its_files_and_feed() {
    let app = fixture_app().await;
    let page = app.get("/?country=BY&order=asc").await;
    for link in [
        r#"href="/timeline.csv?country=BY&#38;order=asc" download"#,
        r#"href="/timeline.json?country=BY&#38;order=asc""#,
        r#"href="/timeline.ics?country=BY&#38;order=asc""#,
        r#"href="/timeline.timelinejs.json?country=BY&#38;order=asc""#,
        r#"href="/api/v1/events?country=BY&#38;order=asc""#,
        r#"href="/timeline.atom?country=BY""#,
        r#"<link rel="alternate" type="application/atom+xml" title="Changes to this view" href="/timeline.atom?country=BY">"#,
    ] {
        page.assert_contains(link);
    }
    for (subject, file) in [
        ("/tags/drones", "/timeline.ics?tag=drones&#38;order=asc"),
        (
            "/outlets/The%20Cradle",
            "/timeline.json?outlet=The+Cradle&#38;order=asc",
        ),
        (
            "/actors/3/viktor-khrenin",
            "/timeline.timelinejs.json?actor=3&#38;order=asc",
        ),
    ] {
        let page = app.get(subject).await;
        assert_eq!(page.status, StatusCode::OK, "{subject}");
        page.assert_contains(&format!(r#"href="{file}""#));
    }
    // Each link works.
    for address in [
        "/timeline.json?country=BY&order=asc",
        "/timeline.ics?tag=drones&order=asc",
        "/timeline.timelinejs.json?actor=3&order=asc",
        "/timeline.atom?country=BY",
    ] {
        assert_eq!(app.get(address).await.status, StatusCode::OK, "{address}");
    }
}

#[tokio::test]
async fn files_follow_the_views_rules() {
    let app = fixture_app().await;
    for ending in ["json", "ics", "timelinejs.json", "atom"] {
        let other = app.get(&format!("/timeline.{ending}?country=by&limit=2")).await;
        assert_eq!(other.status, StatusCode::PERMANENT_REDIRECT, "{ending}");
        assert_eq!(
            other.location(),
            Some(format!("/timeline.{ending}?country=BY").as_str())
        );
        let bad = app.get(&format!("/timeline.{ending}?type=party")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{ending}");
        let search = app.get(&format!("/timeline.{ending}?q=%22unclosed")).await;
        assert_eq!(search.status, StatusCode::BAD_REQUEST, "{ending}");
        let drafts = app.get(&format!("/timeline.{ending}?status=draft")).await;
        assert_eq!(
            drafts.status,
            StatusCode::SEE_OTHER,
            "{ending}: drafts need an account"
        );
    }
}

#[tokio::test]
async fn a_json_export_larger_than_one_step_is_one_valid_document() {
    let (app, published) = support::generated_app(1_300).await;
    let json = json_of(&app.get("/timeline.json").await);
    let mut ids: Vec<i64> = json["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids.len() as i64, published);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as i64, published, "no event twice across steps");
    let calendar: icalendar::Calendar = app.get("/timeline.ics").await.body.parse().expect("parses");
    assert_eq!(calendar.components.len() as i64, published);
}

/// A table of the Data Package, read: its header and rows.
async fn package_table(app: &TestApp, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let page = app.get(&format!("/data/{name}.csv")).await;
    assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
    let mut reader = csv::Reader::from_reader(page.body.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn the_data_package_describes_every_table_and_its_keys_hold() {
    let app = fixture_app().await;
    let package = json_of(&app.get("/data/datapackage.json").await);
    assert_eq!(package["profile"], "tabular-data-package");
    let resources = package["resources"].as_array().expect("resources");
    let names: Vec<&str> = resources
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "events",
            "participants",
            "tags",
            "actors",
            "aliases",
            "sources",
            "citations",
            "claims",
            "relations"
        ]
    );
    let mut tables = std::collections::HashMap::new();
    for resource in resources {
        let name = resource["name"].as_str().expect("name");
        assert_eq!(resource["path"], format!("{name}.csv"));
        let (header, rows) = package_table(&app, name).await;
        let fields: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|f| f["name"].as_str().expect("field name"))
            .collect();
        assert_eq!(header, fields, "{name}: the header is the schema's fields");
        for row in &rows {
            assert_eq!(row.len(), fields.len(), "{name}: {row:?}");
        }
        tables.insert(
            name.to_owned(),
            (header, rows, resource["schema"]["foreignKeys"].clone()),
        );
    }
    // Every foreign key names a row of the table it refers to.
    let column = |table: &str, field: &str| -> Vec<String> {
        let (header, rows, _) = &tables[table];
        let i = header.iter().position(|h| h == field).expect("field");
        rows.iter().map(|r| r[i].clone()).collect()
    };
    for (name, (_, _, keys)) in &tables {
        for key in keys.as_array().expect("foreign keys") {
            let field = key["fields"].as_str().expect("field");
            let target = key["reference"]["resource"].as_str().expect("resource");
            let target_field = key["reference"]["fields"].as_str().expect("field");
            let known = column(target, target_field);
            for value in column(name, field) {
                assert!(
                    value.is_empty() || known.contains(&value),
                    "{name}.{field} = {value} is not in {target}"
                );
            }
        }
    }
    // Published events only: the timeline's count, and no draft anywhere.
    let published = view_ids(&app, "").await;
    let mut listed: Vec<i64> = column("events", "id")
        .iter()
        .map(|id| id.parse().expect("id"))
        .collect();
    listed.sort_unstable();
    let mut expected = published.clone();
    expected.sort_unstable();
    assert_eq!(listed, expected);
    for (name, field) in [
        ("participants", "event_id"),
        ("citations", "event_id"),
        ("tags", "event_id"),
    ] {
        for id in column(name, field) {
            assert!(
                published.contains(&id.parse().expect("id")),
                "{name} of an unpublished event"
            );
        }
    }
    let claims = column("claims", "value");
    assert!(claims.iter().any(|v| v == "more than 400"), "{claims:?}");
    let low = column("claims", "quantity_low");
    assert!(
        low.iter().any(|v| v == "400"),
        "a quantity's figure is a number: {low:?}"
    );
    let bound = column("claims", "quantity_bound");
    assert!(bound.iter().any(|v| v == "more_than"), "{bound:?}");
    let rank = column("claims", "rank");
    assert!(rank.iter().all(|v| v == "preferred"), "{rank:?}");
    assert_eq!(app.get("/data/secrets.csv").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/data/events.json").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_data_package_table_larger_than_one_step_has_every_row_once() {
    let (app, published) = support::generated_app(1_300).await;
    let (_, rows) = package_table(&app, "events").await;
    let mut ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len() as i64, published);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as i64, published, "no row twice across steps");
}

#[tokio::test]
async fn a_view_without_events_still_exports_its_columns() {
    let app = fixture_app().await;
    let empty = app.get("/timeline.csv?q=nothingmatchesthis").await;
    assert_eq!(empty.status, StatusCode::OK);
    let any = app.get("/timeline.csv").await;
    let header = any.body.lines().next().expect("a header");
    assert_eq!(empty.body.trim_end(), header, "the same header, and no row");
    let json = json_of(&app.get("/timeline.json?q=nothingmatchesthis").await);
    assert_eq!(json["events"], serde_json::json!([]));
}

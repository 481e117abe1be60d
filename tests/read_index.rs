//! The read index against SQL: on a few hundred random views of a generated collection,
//! and after every kind of write, the index gives the same pages (ids, order, cursors),
//! the same counts, facets and histogram as the SQL queries it stands in for; and a
//! write is in the index by the time its response leaves.

use crate::support;

use axum::http::StatusCode;
use entente::dates::EventDate;
use entente::domain::filter::{Cursor, Order, Sort, TimelineFilter};
use entente::domain::search::SearchQuery;
use entente::domain::{EventType, Verification};
use entente::store::Db;
use entente::store::listing::Via;
use support::editing::{borrowed, edit_fields, event_fields, event_id, version_of};
use support::{TestApp, fixture_app};

const PASSWORD: &str = "editor password 1";

/// What a page shows that the two answers must agree on.
fn outline(page: &entente::store::listing::TimelinePage) -> (Vec<i64>, Option<Cursor>, Option<Cursor>) {
    (
        page.entries.iter().map(|e| e.id).collect(),
        page.before.clone(),
        page.after.clone(),
    )
}

/// Asserts that the index answers `filter` (it must be current) exactly as SQL does:
/// the summary, the first page, the next one and the way back.
async fn assert_same(db: &Db, filter: &TimelineFilter, what: &str) {
    let indexed = db
        .summary_from_read_index(filter)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("the index is current and answers {what}"));
    let counted = db.summary_from_sql(filter).await.expect("query");
    assert_eq!(indexed, counted, "summary of {what}");
    assert_eq!(
        db.timeline_count(filter).await.expect("count"),
        counted.total,
        "count of {what}"
    );
    let mut cursor: Option<Cursor> = None;
    for step in 0..3 {
        let from_index = db
            .timeline_page_via(filter, cursor.as_ref(), 5, Via::IndexOrSql)
            .await
            .expect("page");
        let from_sql = db
            .timeline_page_via(filter, cursor.as_ref(), 5, Via::Sql)
            .await
            .expect("page");
        assert_eq!(
            outline(&from_index),
            outline(&from_sql),
            "page {step} of {what} after {cursor:?}"
        );
        // Forward twice, then back from the second page.
        cursor = match step {
            0 => from_sql.after.clone(),
            _ => from_sql.before.clone(),
        };
        if cursor.is_none() {
            break;
        }
    }
}

/// A small deterministic generator (xorshift), so a failing view can be replayed.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn date(&mut self) -> EventDate {
        let year = 1995 + self.below(31);
        let text = match self.below(3) {
            0 => format!("{year}"),
            1 => format!("{year}-{:02}", 1 + self.below(12)),
            _ => format!("{year}-{:02}-{:02}", 1 + self.below(12), 1 + self.below(28)),
        };
        EventDate::parse(&text).expect("a date")
    }
}

#[tokio::test]
async fn the_index_answers_random_views_as_sql_does() {
    let (app, published) = support::generated_app(1_500).await;
    let db = &app.app.db;
    assert_eq!(
        db.build_read_index().await.expect("index builds"),
        published as usize
    );
    let all = db
        .summary_from_sql(&TimelineFilter::default())
        .await
        .expect("summary");
    let countries: Vec<String> = all.countries.iter().map(|f| f.value.clone()).collect();
    let actors: Vec<i64> = all.actors.iter().map(|f| f.value.parse().expect("id")).collect();
    let tags: Vec<String> = all.tags.iter().map(|f| f.value.clone()).collect();
    let outlets = db.outlets(false).await.expect("outlets");
    assert!(countries.len() > 5 && actors.len() > 5 && tags.len() > 5 && outlets.len() > 5);
    let words = [
        "drones",
        "drone",
        "plant",
        "minister",
        "agreement",
        "delegation",
        "missile",
        "visit",
        "exercise",
        "sanctions",
        "iran",
        "belarus",
        "zzzunknown",
        "\"drone plant\"",
        "defen*",
        "minister -visit",
    ];

    let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
    assert_same(db, &TimelineFilter::default(), "the whole timeline").await;
    for view in 0..300 {
        let mut filter = TimelineFilter::default();
        if draw.chance(35) {
            filter.countries.push(draw.pick(&countries).clone());
            if draw.chance(40) {
                filter.countries.push(draw.pick(&countries).clone());
            }
        }
        if draw.chance(12) {
            filter.actor = Some(*draw.pick(&actors));
        }
        if draw.chance(30) {
            filter.types.push(*draw.pick(EventType::ALL));
            if draw.chance(30) {
                filter.types.push(*draw.pick(EventType::ALL));
            }
        }
        if draw.chance(12) {
            filter.tag = Some(draw.pick(&tags).clone());
        }
        if draw.chance(8) {
            filter.outlet = Some(draw.pick(&outlets).clone());
        }
        if draw.chance(35) {
            filter.from = Some(draw.date());
        }
        if draw.chance(35) {
            filter.to = Some(draw.date());
        }
        if draw.chance(25) {
            let word = *draw.pick(&words);
            filter.search = Some(SearchQuery::parse(word).expect("search"));
        }
        if draw.chance(10) {
            filter.verification.push(*draw.pick(Verification::ALL));
        }
        filter.alternatives = draw.chance(5);
        if draw.chance(5) {
            filter.independent = Some(draw.below(4) as i64);
        }
        filter.sort = match draw.below(3) {
            0 => Sort::Date(Order::Asc),
            1 if filter.search.is_some() => Sort::Relevance,
            _ => Sort::Date(Order::Desc),
        };
        assert_same(db, &filter, &format!("view {view}: {filter:?}")).await;
    }
    // Filters naming nothing the collection holds match nothing, as in SQL.
    let nothing = TimelineFilter {
        countries: vec!["ZZ".into()],
        ..TimelineFilter::default()
    };
    assert_same(db, &nothing, "an unknown country").await;
    assert_eq!(db.timeline_count(&nothing).await.expect("count"), 0);
}

/// The views compared after each write of the fixture.
async fn assert_views_same(app: &TestApp, after: &str) {
    let db = &app.app.db;
    let all = db
        .summary_from_sql(&TimelineFilter::default())
        .await
        .expect("summary");
    let mut filters = vec![TimelineFilter::default()];
    for country in &all.countries {
        filters.push(TimelineFilter {
            countries: vec![country.value.clone()],
            ..TimelineFilter::default()
        });
    }
    for actor in &all.actors {
        filters.push(TimelineFilter {
            actor: actor.value.parse().ok(),
            ..TimelineFilter::default()
        });
    }
    for tag in &all.tags {
        filters.push(TimelineFilter {
            tag: Some(tag.value.clone()),
            ..TimelineFilter::default()
        });
    }
    for outlet in db.outlets(false).await.expect("outlets") {
        filters.push(TimelineFilter {
            outlet: Some(outlet),
            ..TimelineFilter::default()
        });
    }
    for status in Verification::ALL {
        filters.push(TimelineFilter {
            verification: vec![*status],
            ..TimelineFilter::default()
        });
    }
    for word in ["drone", "tehran", "isfahan", "khrenin"] {
        filters.push(TimelineFilter {
            search: Some(SearchQuery::parse(word).expect("search")),
            ..TimelineFilter::default()
        });
    }
    filters.push(TimelineFilter {
        from: Some(EventDate::parse("2023").expect("date")),
        to: Some(EventDate::parse("2024-06").expect("date")),
        ..TimelineFilter::default()
    });
    // Only an open start (its earliest day centuries before its sort day) reaches back
    // to 1990.
    filters.push(TimelineFilter {
        to: Some(EventDate::parse("1990").expect("date")),
        ..TimelineFilter::default()
    });
    filters.push(TimelineFilter {
        from: Some(EventDate::parse("2019-11-15").expect("date")),
        to: Some(EventDate::parse("2019-12").expect("date")),
        ..TimelineFilter::default()
    });
    for (n, filter) in filters.iter().enumerate() {
        assert_same(db, filter, &format!("view {n} after {after}: {filter:?}")).await;
    }
}

async fn posted(app: &TestApp, agent: &support::Agent, uri: &str, fields: &[(&str, &str)]) -> String {
    let page = app.post_as(agent, uri, fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}: {}", page.body);
    page.location().unwrap_or_default().to_owned()
}

/// Changes an event's status through its form, at its current version.
async fn change_status(app: &TestApp, agent: &support::Agent, id: i64, action: &str, reason: &str) {
    let version = version_of(app, id).await;
    let uri = format!("/events/{id}/status");
    posted(
        app,
        agent,
        &uri,
        &[("action", action), ("reason", reason), ("version", &version)],
    )
    .await;
}

#[tokio::test]
async fn every_kind_of_write_is_in_the_index_when_its_response_leaves() {
    let app = fixture_app().await;
    app.app.db.build_read_index().await.expect("index builds");
    app.add_user("Eddie", "editor", PASSWORD).await;
    app.add_user("Ada", "admin", "admin password 1").await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let ada = app.sign_in("Ada", "admin password 1").await;
    assert_views_same(&app, "the build").await;

    let location = posted(&app, &eddie, "/events/new", &event_fields(&[])).await;
    let id = event_id(&location);
    assert_views_same(&app, "a new draft").await;

    change_status(&app, &eddie, id, "publish", "").await;
    assert_views_same(&app, "publishing").await;
    let isfahan = TimelineFilter {
        search: Some(SearchQuery::parse("isfahan").expect("search")),
        ..TimelineFilter::default()
    };
    let found = app.app.db.timeline_page(&isfahan, None, 50).await.expect("page");
    assert!(
        found.entries.iter().any(|e| e.id == id),
        "a published event is found at once"
    );

    let fields = edit_fields(
        &app,
        id,
        &[
            ("date", "2019-11-04"),
            ("event_type", "agreement"),
            ("agreement_kind", "mou"),
            ("location_country", "BY"),
            ("tags", "missiles"),
        ],
    )
    .await;
    posted(&app, &eddie, &format!("/events/{id}/edit"), &borrowed(&fields)).await;
    assert_views_same(&app, "an edit of date, type, place and tags").await;

    let fields = edit_fields(&app, id, &[("date", "../2019-11")]).await;
    posted(&app, &eddie, &format!("/events/{id}/edit"), &borrowed(&fields)).await;
    let reaching_back = TimelineFilter {
        to: Some(EventDate::parse("1990").expect("date")),
        ..TimelineFilter::default()
    };
    let found = app
        .app
        .db
        .timeline_page(&reaching_back, None, 50)
        .await
        .expect("page");
    assert!(
        found.entries.iter().any(|e| e.id == id),
        "an open start matches a range long before its sort day"
    );
    assert_views_same(&app, "an edit to an open start").await;

    let fields = edit_fields(&app, id, &[("date", "2019-11-04")]).await;
    posted(&app, &eddie, &format!("/events/{id}/edit"), &borrowed(&fields)).await;
    assert_views_same(&app, "an edit back to a day").await;

    change_status(&app, &eddie, id, "retract", "Misreported").await;
    assert_views_same(&app, "retracting").await;
    let found = app.app.db.timeline_page(&isfahan, None, 50).await.expect("page");
    assert!(
        !found.entries.iter().any(|e| e.id == id),
        "a retracted event leaves at once"
    );

    change_status(&app, &eddie, id, "restore", "").await;
    assert_views_same(&app, "restoring").await;

    let version = app
        .app
        .db
        .actor_version(3)
        .await
        .expect("query")
        .expect("actor")
        .to_string();
    posted(
        &app,
        &eddie,
        "/actors/3/edit",
        &[
            ("name", "Viktor G. Khrenin"),
            ("kind", "person"),
            ("iso_code", ""),
            ("country", "BY"),
            ("description", "Minister of Defense of Belarus."),
            ("aliases", "Виктор Хренин"),
            ("edit_summary", "Middle initial"),
            ("version", &version),
        ],
    )
    .await;
    assert_views_same(&app, "renaming an actor").await;

    let version = app
        .app
        .db
        .actor_version(4)
        .await
        .expect("query")
        .expect("actor")
        .to_string();
    posted(
        &app,
        &eddie,
        "/actors/4/merge",
        &[
            ("into", "Amir Nasirzadeh"),
            ("confirm", "1"),
            ("version", &version),
        ],
    )
    .await;
    assert_views_same(&app, "merging actors").await;

    let cradle = app
        .app
        .db
        .outlet_named("The Cradle")
        .await
        .expect("query")
        .expect("outlet");
    let version = cradle.version.to_string();
    posted(
        &app,
        &eddie,
        &format!("/outlets/{}/edit", cradle.id),
        &[
            ("name", "The Cradle (Beirut)"),
            ("kind", "independent_press"),
            ("country", "IR"),
            ("language", "English"),
            ("note", ""),
            ("edit_summary", "Renamed"),
            ("version", &version),
        ],
    )
    .await;
    assert_views_same(&app, "renaming an outlet").await;

    let version = version_of(&app, 1).await;
    posted(
        &app,
        &ada,
        "/events/1/delete",
        &[("reason", "Duplicate"), ("confirm", "1"), ("version", &version)],
    )
    .await;
    assert_views_same(&app, "deleting an event").await;
    assert_eq!(
        app.app
            .db
            .summary_from_read_index(&TimelineFilter::default())
            .await
            .expect("query")
            .map(|s| s.total),
        Some(
            app.app
                .db
                .timeline_count(&TimelineFilter::default())
                .await
                .expect("count")
        ),
    );
}

#[tokio::test]
async fn a_write_by_another_process_has_readers_wait_for_the_rebuild() {
    let app = fixture_app().await;
    let db = &app.app.db;
    db.build_read_index().await.expect("index builds");
    let before = db
        .timeline_count(&TimelineFilter::default())
        .await
        .expect("count");
    // A second server on the same file writes; this one's index does not see it.
    let other = app.another_server().await;
    other.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = other.sign_in("Eddie", PASSWORD).await;
    let location = posted(&other, &eddie, "/events/new", &event_fields(&[])).await;
    let id = event_id(&location);
    change_status(&other, &eddie, id, "publish", "").await;
    // The reader finds the index behind, starts a rebuild and waits for it, rather
    // than asking SQL for facets over the whole collection.
    let summary = db
        .summary_from_read_index(&TimelineFilter::default())
        .await
        .expect("query")
        .expect("the index, rebuilt while the reader waited");
    assert_eq!(summary.total, before + 1);
    assert_views_same(&app, "a rebuild after another process wrote").await;
}

#[tokio::test]
async fn a_bulk_load_is_taken_into_a_built_index_in_one_batch() {
    let app = support::empty_app().await;
    let db = &app.app.db;
    assert_eq!(db.build_read_index().await.expect("index builds"), 0);
    // One transaction of 400 events, applied to the index as a batch, not rebuilt.
    entente::fixture::generate(db, 400, 11).await.expect("fixture");
    let indexed = db
        .summary_from_read_index(&TimelineFilter::default())
        .await
        .expect("query")
        .expect("the index took the load in");
    assert!(indexed.total > 350, "{}", indexed.total);
    assert_views_same(&app, "a bulk load").await;
}

/// A page whose view is not counted within the facet time limit (here none at all)
/// answers with its events, says its count, facets and histogram are still being
/// counted, keeps out of the page cache, and shows them on reload once counted.
#[tokio::test]
async fn a_view_not_counted_in_time_lists_its_events_and_fills_in_on_reload() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = entente::Config::for_database(dir.path().join("limit.sqlite3"));
    config.demo_data = false;
    config.facet_time_limit = std::time::Duration::ZERO;
    let app = entente::build(&config).await.expect("app builds");
    let dataset = entente::import::parse_dataset(support::FIXTURE).expect("fixture parses");
    entente::import::load_dataset(&app.db, &dataset)
        .await
        .expect("fixture loads");
    let app = TestApp { app, dir };

    let timeline = app.get("/?country=IR").await;
    assert_eq!(timeline.status, StatusCode::OK);
    timeline.assert_contains("The whole view is still being counted");
    timeline.assert_contains("Iran and Belarus sign defense MOU in Tehran");
    timeline.assert_contains("CSV of all its events");
    timeline.assert_lacks("matching events");
    timeline.assert_lacks("class=\"facets");
    assert_eq!(timeline.headers["cache-control"], "no-store");

    let tag = app.get("/tags/drones").await;
    assert_eq!(tag.status, StatusCode::OK);
    tag.assert_contains("still being counted");
    tag.assert_contains("Iran and Belarus sign defense MOU in Tehran");
    tag.assert_lacks("published events");
    assert_eq!(tag.headers["cache-control"], "no-store");

    // The counts go on without the reader; once they are in, a reload shows them.
    let by_iran = TimelineFilter {
        countries: vec!["IR".to_owned()],
        ..TimelineFilter::default()
    };
    app.app.db.summary(&by_iran).await.expect("counted");
    let timeline = app.get("/?country=IR").await;
    timeline.assert_contains("3 matching events");
    timeline.assert_lacks("still being counted");
    assert_ne!(
        timeline.headers.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
}

#[tokio::test]
async fn a_request_reads_the_generation_once_and_again_after_its_own_write() {
    let app = fixture_app().await;
    let db = app.app.db.clone();
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let other = app.another_server().await;
    other.add_user("Olga", "editor", PASSWORD).await;
    let olga = other.sign_in("Olga", PASSWORD).await;
    let before = db.generation().await.expect("generation");
    Db::one_generation_per_request(async {
        assert_eq!(db.generation().await.expect("generation"), before);
        // Another process writes: the request goes on reading as of its start.
        posted(&other, &olga, "/events/new", &event_fields(&[])).await;
        assert_eq!(
            db.generation().await.expect("generation"),
            before,
            "a request reads the generation once"
        );
        // This process writes: the request sees its own write at once.
        posted(&app, &eddie, "/events/new", &event_fields(&[])).await;
        assert_eq!(
            db.generation().await.expect("generation"),
            before + 2,
            "a write of this process's ends what the request kept"
        );
    })
    .await;
    // Outside the request (and in the next one) every write counts.
    posted(&other, &olga, "/events/new", &event_fields(&[])).await;
    assert_eq!(db.generation().await.expect("generation"), before + 3);
    let next = Db::one_generation_per_request(db.generation()).await;
    assert_eq!(next.expect("generation"), before + 3);
}

//! The demo dataset, the import path it loads through, the database on disk, and the
//! command line.

use crate::support;

use axum::http::StatusCode;
use clap::{CommandFactory, Parser};
use entente::cli::Cli;
use entente::import::{load_dataset, parse_dataset};
use support::{demo_app, fixture_app};

#[tokio::test]
async fn a_fresh_database_is_created_migrated_and_filled_with_the_demo_dataset() {
    let app = demo_app().await;
    assert!(app.dir.path().join("demo.sqlite3").exists());
    let published = app.app.db.summary(&Default::default()).await.unwrap().total;
    assert!(published >= 20, "at least 20 demo events, got {published}");
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    for year in ["2022", "2023", "2025"] {
        page.assert_contains(&format!(">{year}</h2>"));
    }
}

#[tokio::test]
async fn restarting_on_an_existing_database_keeps_its_data_and_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = entente::Config::for_database(dir.path().join("db.sqlite3"));
    let first = entente::build(&config).await.unwrap();
    let count = first.db.event_count().await.unwrap();
    first.db.close().await;
    let second = entente::build(&config).await.unwrap();
    assert_eq!(second.db.event_count().await.unwrap(), count);
}

#[tokio::test]
async fn the_demo_dataset_covers_2022_to_2025_with_sources_for_every_event() {
    let dataset = parse_dataset(entente::import::DEMO_DATASET).unwrap();
    assert!(dataset.events.len() >= 20);
    for event in &dataset.events {
        assert!(!event.citations.is_empty(), "event {} has no source", event.key);
        for citation in &event.citations {
            assert!(
                !citation.passage.trim().is_empty(),
                "event {} cites without a passage",
                event.key
            );
        }
        let date = entente::dates::EventDate::parse(&event.date).unwrap();
        let year = date.earliest().year();
        assert!(
            (2022..=2025).contains(&year) || date.latest().year() >= 2022,
            "{} in {year}",
            event.key
        );
    }
}

#[tokio::test]
async fn the_demo_mou_keeps_the_june_versus_31_july_disagreement() {
    let dataset = parse_dataset(entente::import::DEMO_DATASET).unwrap();
    let mou = dataset
        .events
        .iter()
        .find(|e| e.agreement_kind.as_deref() == Some("mou") && e.date == "2023-07-31")
        .expect("the defense MOU of 31 July 2023");
    let claimed: Vec<_> = mou
        .citations
        .iter()
        .filter_map(|c| c.claimed_date.as_deref())
        .collect();
    assert!(claimed.contains(&"2023-06"), "{claimed:?}");
    assert!(claimed.contains(&"2023-07-31"), "{claimed:?}");

    let app = demo_app().await;
    let position = dataset.events.iter().position(|e| e.key == mou.key).unwrap() + 1;
    let redirect = app.get(&format!("/events/{position}")).await;
    let page = app
        .get(redirect.location().expect("redirect to the permalink"))
        .await;
    page.assert_contains("Sources disagree");
    page.assert_contains("<strong>Jun 2023</strong>, which the editors hold as an alternative");
}

#[tokio::test]
async fn the_demo_drone_counts_and_the_start_of_shahed_use_show_as_disputes() {
    let dataset = parse_dataset(entente::import::DEMO_DATASET).unwrap();
    let app = demo_app().await;
    let page_of = |key: &str| {
        let position = dataset.events.iter().position(|e| e.key == key).expect("event") + 1;
        format!("/events/{position}")
    };
    let redirect = app.get(&page_of("drone-count")).await;
    let counts = app.get(redirect.location().expect("permalink")).await;
    counts.assert_contains(
        "On <strong>Drones Russia has received from Iran</strong>, this page holds <strong>more than 400 drones</strong>",
    );
    counts.assert_contains("<strong>more than 1,000 drones</strong>, according to Ukrainian sources");
    counts.assert_contains(r#"<span class="flag">disputed</span>"#);
    let redirect = app.get(&page_of("shahed-use")).await;
    let shahed = app.get(redirect.location().expect("permalink")).await;
    shahed.assert_contains("When Russia began using Shahed drones: since the summer of 2022");
    shahed.assert_contains("<strong>since the onset of its 2022 invasion</strong>");
    shahed.assert_contains("Sources disagree");
    // The counts are stored as quantities.
    let id = dataset
        .events
        .iter()
        .position(|e| e.key == "drone-count")
        .expect("event") as i64
        + 1;
    let detail = app.app.db.event(id).await.expect("query").expect("event");
    let bounds: Vec<_> = detail
        .citations
        .iter()
        .flat_map(|c| &c.claims)
        .filter_map(|c| c.quantity.as_ref().map(|q| (q.bound, q.low)))
        .collect();
    assert_eq!(
        bounds,
        [
            (entente::domain::Bound::MoreThan, 400.0),
            (entente::domain::Bound::MoreThan, 1000.0)
        ]
    );
}

#[tokio::test]
async fn the_demo_keeps_both_drone_counts_with_who_claimed_them() {
    let dataset = parse_dataset(entente::import::DEMO_DATASET).unwrap();
    let claims: Vec<_> = dataset
        .events
        .iter()
        .flat_map(|e| &e.citations)
        .flat_map(|c| &c.claims)
        .collect();
    let over_400 = claims.iter().find(|c| c.value.contains("400")).expect("over 400");
    let above_1000 = claims
        .iter()
        .find(|c| c.value.contains("1,000"))
        .expect("above 1,000");
    assert_eq!(
        over_400.topic, above_1000.topic,
        "the two counts line up as one disputed topic"
    );
    assert!(
        over_400
            .attributed_to
            .as_deref()
            .unwrap_or("")
            .contains("White House")
    );
    assert!(
        above_1000
            .attributed_to
            .as_deref()
            .unwrap_or("")
            .contains("Ukrain")
    );
}

#[tokio::test]
async fn the_demo_merges_name_variants_into_one_actor_with_aliases() {
    let dataset = parse_dataset(entente::import::DEMO_DATASET).unwrap();
    let names = |actor: &entente::import::ActorRecord| {
        let mut all = vec![actor.name.clone()];
        all.extend(actor.aliases.iter().cloned());
        all
    };
    for (a, b) in [
        ("Aziz Nasirzadeh", "Amir Nasirzadeh"),
        ("Ebrahim Raisi", "Ibrahim Raisi"),
    ] {
        let holders: Vec<_> = dataset
            .actors
            .iter()
            .filter(|actor| names(actor).iter().any(|n| n == a || n == b))
            .collect();
        assert_eq!(holders.len(), 1, "one actor carries both {a} and {b}");
        let all = names(holders[0]);
        assert!(
            all.iter().any(|n| n == a) && all.iter().any(|n| n == b),
            "{all:?}"
        );
    }
}

#[tokio::test]
async fn a_dataset_with_problems_is_refused_whole_with_every_problem_named() {
    let app = fixture_app().await;
    let before = app.app.db.event_count().await.unwrap();
    let dataset = parse_dataset(
        r#"{
          "actors": [{"key": "a", "kind": "planet", "name": "Mars"}],
          "sources": [],
          "events": [
            {"key": "good", "title": "Fine", "type": "meeting", "date": "2024-01-02"},
            {"key": "bad-date", "title": "Impossible day", "type": "meeting", "date": "2023-02-30"},
            {"key": "bad-type", "title": "Odd", "type": "party", "date": "2023"},
            {"key": "bad-ref", "title": "Ghost", "type": "visit", "date": "2023",
             "actors": [{"actor": "nobody", "role": "visitor"}],
             "citations": [{"source": "nowhere", "passage": "x"}],
             "relations": [{"relation": "follows_from", "event": "missing"}]}
          ]
        }"#,
    )
    .unwrap();
    let error = load_dataset(&app.app.db, &dataset).await.unwrap_err().to_string();
    for expected in [
        "actors[0].kind (“a”): “planet” is not one of",
        "events[1].date (“bad-date”): “2023-02-30”",
        "events[2].type (“bad-type”): “party” is not one of",
        "events[3].actors[0].actor (“bad-ref”): no actor in this file has the key “nobody”",
        "events[3].citations[0].source (“bad-ref”): no source in this file has the key “nowhere”",
        "events[3].relations[0].event (“bad-ref”): no event in this file has the key “missing”",
    ] {
        assert!(error.contains(expected), "{expected:?} missing from: {error}");
    }
    assert_eq!(
        app.app.db.event_count().await.unwrap(),
        before,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_dataset_that_is_not_json_of_the_right_shape_gets_a_message() {
    let error = parse_dataset(r#"{"events": [{"key": "x", "colour": "red"}]}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("the dataset cannot be read"), "{error}");
    assert!(
        error.contains("events[0].colour: unknown field `colour`"),
        "{error}"
    );
    assert!(error.contains("line 1 column 33"), "{error}");
}

#[test]
fn help_explains_every_serve_option_and_its_environment_variable() {
    let help = Cli::command().render_long_help().to_string();
    for needle in [
        "--bind",
        "ENTENTE_BIND",
        "--database",
        "ENTENTE_DATABASE",
        "--no-demo",
        "serve",
    ] {
        assert!(help.contains(needle), "{needle} missing from help:\n{help}");
    }
}

#[test]
fn serve_options_work_with_and_without_the_subcommand() {
    let cli = Cli::try_parse_from(["entente", "--bind", "0.0.0.0:8080", "--database", "/data/e.db"]).unwrap();
    let config = cli.serve_args().expect("serve").config();
    assert_eq!(config.bind.to_string(), "0.0.0.0:8080");
    assert_eq!(config.database.to_str(), Some("/data/e.db"));
    assert!(config.demo_data);

    let cli = Cli::try_parse_from(["entente", "serve", "--database", "x.db", "--no-demo"]).unwrap();
    let config = cli.serve_args().expect("serve").config();
    assert_eq!(config.database.to_str(), Some("x.db"));
    assert!(!config.demo_data);

    assert!(Cli::try_parse_from(["entente", "--bind", "not-an-address"]).is_err());

    // The caches' memory: 38 MiB unless told otherwise.
    assert_eq!(config.cache_budget, entente::cache::CacheBudget::default());
    let cli = Cli::try_parse_from(["entente", "serve", "--cache-mb", "400"]).unwrap();
    let config = cli.serve_args().expect("serve").config();
    assert_eq!(config.cache_budget, entente::cache::CacheBudget::from_mb(400));
    assert!(Cli::try_parse_from(["entente", "--cache-mb", "lots"]).is_err());
}

/// A server given no memory for caches computes every page afresh: the same pages, the
/// same answers to a second request, nothing assumed kept.
#[tokio::test]
async fn a_server_without_cache_memory_answers_every_page_the_same() {
    let cached = fixture_app().await;
    // A second server on the same database file.
    let mut config = entente::config::Config::for_database(cached.database());
    config.demo_data = false;
    config.cache_budget = entente::cache::CacheBudget::from_mb(0);
    let uncached = support::TestApp {
        app: entente::build(&config).await.expect("app builds"),
        dir: tempfile::tempdir().expect("temp dir"),
    };
    for uri in [
        "/",
        "/?country=BY&type=agreement",
        "/?q=drone",
        "/?q=drone&order=relevance",
        "/actors/2",
        "/timeline.json",
    ] {
        let expected = cached.get(uri).await;
        for attempt in ["first", "second"] {
            let page = uncached.get(uri).await;
            assert_eq!(page.status, expected.status, "{uri}, {attempt} request");
            assert_eq!(page.body, expected.body, "{uri}, {attempt} request");
        }
    }
}

#[test]
fn the_command_line_is_well_formed() {
    // clap's own checks of every subcommand (unique argument names and the like), which
    // otherwise only run when a subcommand is used.
    Cli::command().debug_assert();
}

#[test]
fn fixture_options_are_checked() {
    let cli = Cli::try_parse_from(["entente", "fixture", "--events", "500", "--database", "f.db"]).unwrap();
    match &cli.command {
        Some(entente::cli::Command::Fixture(args)) => {
            assert_eq!(args.events, 500);
            assert_eq!(args.database.to_str(), Some("f.db"));
            assert_eq!(args.seed, 1);
        }
        other => panic!("parsed as {other:?}"),
    }
    assert!(cli.serve_args().is_none(), "fixture does not serve");
    let default = Cli::try_parse_from(["entente", "fixture", "--database", "f.db"]).unwrap();
    assert!(matches!(default.command, Some(entente::cli::Command::Fixture(ref a)) if a.events == 100_000));
    assert!(Cli::try_parse_from(["entente", "fixture", "--events", "0", "--database", "f.db"]).is_err());
    assert!(
        Cli::try_parse_from(["entente", "fixture"]).is_err(),
        "the database is required"
    );
}

#[tokio::test]
async fn a_generated_fixture_is_browsable_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.sqlite3");
    let args = entente::cli::FixtureArgs {
        events: 400,
        database: path.clone(),
        seed: 3,
    };
    entente::fixture(&args).await.expect("fixture generates");
    let mut config = entente::Config::for_database(path);
    config.demo_data = false;
    let app = support::TestApp {
        app: entente::build(&config).await.unwrap(),
        dir,
    };
    let summary = app.app.db.summary(&Default::default()).await.unwrap();
    // About 2% are drafts, which readers do not see.
    assert!((370..400).contains(&summary.total), "{}", summary.total);
    assert!(summary.countries.len() >= 20, "events spread over many countries");
    let page = app.get("/?country=BY&country=IR").await;
    assert_eq!(page.status, axum::http::StatusCode::OK);
    let search = app.get("/?q=drones").await;
    search.assert_contains("<mark>");

    // A second run into the same file refuses rather than doubling the data.
    let again = entente::fixture(&args).await;
    assert!(
        matches!(again, Err(entente::error::Error::Invalid(ref m)) if m.contains("already holds")),
        "{again:?}"
    );
}

/// The values a migration's CHECK constraint allows for `column` (`column IN ('a', 'b')`).
fn checked_values(sql: &str, column: &str) -> Vec<String> {
    let start = sql
        .find(&format!("{column} IN ("))
        .unwrap_or_else(|| panic!("no CHECK list for {column}"));
    let list = &sql[start..];
    let list = &list[list.find('(').expect("open") + 1..list.find(')').expect("close")];
    list.split(',')
        .map(|v| v.trim().trim_matches('\'').to_owned())
        .collect()
}

#[test]
fn every_vocabulary_matches_the_database_check_it_is_stored_under() {
    use entente::domain::{
        ActorKind, AgreementKind, Bound, Entity, EventStatus, EventType, OutletKind, Rank, RelationKind,
        RevisionAction, Role,
    };
    let foundation = include_str!("../migrations/0001_foundation.sql");
    let accounts = include_str!("../migrations/0005_accounts.sql");
    let revisions = include_str!("../migrations/0006_revisions.sql");
    let ranked = include_str!("../migrations/0012_ranked_claims.sql");
    let outlets = include_str!("../migrations/0015_outlets.sql");
    let texts = |all: Vec<&str>| all.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    for (sql, column, terms) in [
        (
            foundation,
            "kind",
            texts(ActorKind::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            foundation,
            "event_type",
            texts(EventType::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            foundation,
            "agreement_kind",
            texts(AgreementKind::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            foundation,
            "status",
            texts(EventStatus::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            foundation,
            "relation",
            texts(RelationKind::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            accounts,
            "role",
            texts(Role::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            outlets,
            "entity",
            texts(Entity::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            outlets,
            "kind",
            texts(OutletKind::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            revisions,
            "action",
            texts(RevisionAction::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            ranked,
            "rank",
            texts(Rank::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            ranked,
            "claimed_date_rank",
            texts(Rank::ALL.iter().map(|t| t.as_str()).collect()),
        ),
        (
            ranked,
            "quantity_bound",
            texts(Bound::ALL.iter().map(|t| t.as_str()).collect()),
        ),
    ] {
        assert_eq!(sorted(checked_values(sql, column)), sorted(terms), "{column}");
    }
}

/// A load into an empty database sets the bulk tables' indexes aside and builds them
/// again: afterwards the schema is the migrated one, index for index, and the rows are
/// all there, each in every index (SQLite's integrity check compares them).
#[tokio::test]
async fn a_bulk_load_into_an_empty_database_leaves_every_index_as_migrated() {
    use sqlx::Connection;
    let app = support::empty_app().await;
    let url = format!("sqlite://{}", app.dir.path().join("empty.sqlite3").display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    let schema = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name";
    let before: Vec<(String, String, Option<String>)> = sqlx::query_as(schema)
        .fetch_all(&mut other)
        .await
        .expect("schema");
    assert!(before.iter().any(|(name, _, _)| name == "citations_event"));

    let dataset = parse_dataset(support::FIXTURE).expect("fixture parses");
    load_dataset(&app.app.db, &dataset).await.expect("loads");

    let after: Vec<(String, String, Option<String>)> = sqlx::query_as(schema)
        .fetch_all(&mut other)
        .await
        .expect("schema");
    assert_eq!(after, before);
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut other)
        .await
        .expect("check");
    assert_eq!(check, "ok");
    let cited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM citations INDEXED BY citations_event WHERE event_id > 0")
            .fetch_one(&mut other)
            .await
            .expect("count");
    assert_eq!(
        cited,
        dataset
            .events
            .iter()
            .map(|e| e.citations.len() as i64)
            .sum::<i64>()
    );
    let page = app.get("/?country=IR").await;
    page.assert_contains("3 matching events");
}

/// Planner statistics are kept only for a collection large enough to need them: a
/// connection keeps a table's row estimate for its whole life, so statistics taken of
/// near-empty tables would steer a large load later (FTS5 then deleted each merged
/// segment of its index by scanning the whole table). A start forgets those an earlier
/// release left; a load past the threshold takes them anew.
#[tokio::test]
async fn only_a_collection_large_enough_keeps_planner_statistics() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("grows.sqlite3");
    let mut config = entente::config::Config::for_database(path.clone());
    config.demo_data = false;
    let first = entente::build(&config).await.expect("app builds");
    let url = format!("sqlite://{}", path.display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    let rows = |table: &'static str| format!("SELECT count(*) FROM sqlite_stat1 WHERE tbl = '{table}'");
    let analyzed: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'")
        .fetch_one(&mut other)
        .await
        .expect("schema");
    assert_eq!(analyzed, 0, "an empty database was analyzed");
    // As an earlier release did at every start: the near-empty tables analyzed.
    sqlx::query("ANALYZE")
        .execute(&mut other)
        .await
        .expect("analyzes");
    let search: i64 = sqlx::query_scalar(&rows("event_search_data"))
        .fetch_one(&mut other)
        .await
        .expect("statistics");
    assert_eq!(search, 1);
    first.db.close().await;

    let second = entente::build(&config).await.expect("app builds again");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_stat1")
        .fetch_one(&mut other)
        .await
        .expect("statistics");
    assert_eq!(left, 0, "a start forgets a small collection's statistics");

    entente::fixture::generate(&second.db, 1_200, 7)
        .await
        .expect("fixture");
    second.db.optimize().await.expect("optimizes");
    for table in ["events", "event_search_data"] {
        let taken: i64 = sqlx::query_scalar(&rows(table))
            .fetch_one(&mut other)
            .await
            .expect("statistics");
        assert!(
            taken > 0,
            "{table} has no statistics after a load past the threshold"
        );
    }
}

//! Datasets in and out: the round trip export → import → export, re-imports that change
//! nothing, dry runs, refusals that name every bad value and write nothing, matching
//! before creating, revisions by the importing account, the JSON Schema, and the
//! command line.

use crate::support;

use std::process::Command;

use axum::http::StatusCode;
use entente::import::{Dataset, ImportOptions, ImportReport, export_dataset, import_dataset, parse_dataset};
use support::{TestApp, demo_app, empty_app, fixture_app};

const PASSWORD: &str = "correct horse battery staple";

async fn import(app: &TestApp, dataset: &Dataset, user_id: Option<i64>, dry_run: bool) -> ImportReport {
    import_dataset(
        &app.app.db,
        dataset,
        ImportOptions {
            file_name: "events.json",
            user_id,
            dry_run,
        },
    )
    .await
    .expect("the import succeeds")
}

/// How many revisions the database holds, and how many events.
async fn totals(app: &TestApp) -> (usize, i64) {
    let revisions = app
        .app
        .db
        .recent_revisions(1_000_000)
        .await
        .expect("revisions")
        .len();
    let events = app.app.db.event_count().await.expect("events");
    (revisions, events)
}

#[tokio::test]
async fn export_import_into_an_empty_database_and_export_again_gives_the_same_file() {
    let demo = demo_app().await;
    let first = export_dataset(&demo.app.db).await.expect("export");
    assert!(first.events.len() > 20, "the demo's published events");
    assert!(first.events.iter().all(|e| e.status == "published"));
    let copy = empty_app().await;
    let report = import(&copy, &first, None, false).await;
    assert_eq!(report.created.events, first.events.len());
    assert_eq!(report.created.actors, first.actors.len());
    assert_eq!(report.created.sources, first.sources.len());
    let second = export_dataset(&copy.app.db).await.expect("export again");
    assert_eq!(
        serde_json::to_string_pretty(&first).expect("json"),
        serde_json::to_string_pretty(&second).expect("json"),
        "the same content"
    );
    // The copy reads like the original: the same page for the same event.
    let original = demo.get("/api/v1/events?limit=500").await;
    let copied = copy.get("/api/v1/events?limit=500").await;
    let titles = |body: &str| {
        let list: serde_json::Value = serde_json::from_str(body).expect("json");
        list["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| (e["title"].clone(), e["date"].clone(), e["source_count"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&original.body), titles(&copied.body));
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let app = fixture_app().await;
    let dataset = parse_dataset(support::FIXTURE).expect("fixture parses");
    // The fixture was loaded with its keys: importing it over itself finds every record.
    let before = totals(&app).await;
    let again = import(&app, &dataset, None, false).await;
    assert_eq!(again.created, Default::default(), "{again}");
    assert_eq!(again.changed, Default::default(), "{again}");
    assert_eq!(again.unchanged.events, dataset.events.len());
    assert_eq!(totals(&app).await, before, "no revision, no event added");

    // A file with a changed record changes that record only, once.
    let mut changed = dataset.clone();
    changed.events[1].title = "Khrenin visits Tehran for talks".to_owned();
    let first = import(&app, &changed, None, false).await;
    assert_eq!(first.changed.events, 1, "{first}");
    assert_eq!(first.created, Default::default());
    let second = import(&app, &changed, None, false).await;
    assert_eq!(second.changed, Default::default(), "{second}");
    let page = app.get("/events/2").await;
    let page = app.get(page.location().expect("canonical")).await;
    page.assert_contains("Khrenin visits Tehran for talks");
}

#[tokio::test]
async fn a_dry_run_reports_what_would_happen_and_writes_nothing() {
    let demo = demo_app().await;
    let dataset = export_dataset(&demo.app.db).await.expect("export");
    let app = empty_app().await;
    let before = totals(&app).await;
    let report = import(&app, &dataset, None, true).await;
    assert!(report.dry_run);
    assert_eq!(report.created.events, dataset.events.len());
    assert!(
        report.lines.iter().any(|l| l.starts_with("would create event")),
        "{report}"
    );
    assert!(report.to_string().ends_with("dry run: nothing was written"));
    assert_eq!(totals(&app).await, before);
    assert_eq!(app.get("/api/v1/actors").await.body, r#"{"actors":[]}"#);
    // The real import afterwards creates what the dry run announced.
    let real = import(&app, &dataset, None, false).await;
    assert_eq!(real.created, report.created);
}

#[tokio::test]
async fn a_file_with_bad_values_writes_nothing_and_names_each_one() {
    let app = fixture_app().await;
    let before = totals(&app).await;
    let mut dataset = parse_dataset(support::FIXTURE).expect("fixture parses");
    dataset.events[0].date = "2023-13".to_owned();
    dataset.events[1].event_type = "party".to_owned();
    dataset.events[2].actors[0].actor = "nobody".to_owned();
    dataset.actors[0].kind = "nation".to_owned();
    dataset.sources[0].published = Some("yesterday".to_owned());
    let error = import_dataset(
        &app.app.db,
        &dataset,
        ImportOptions {
            file_name: "bad.json",
            user_id: None,
            dry_run: false,
        },
    )
    .await
    .expect_err("refused")
    .to_string();
    for expected in [
        "problem(s):",
        "events[0].date (“mou”)",
        "events[1].type (“visit”): “party” is not one of",
        "events[2].actors[0].actor (“engineers”): no actor in this file has the key “nobody”",
        "actors[0].kind (“iran”): “nation” is not one of",
        "sources[0].published (“cradle”)",
    ] {
        assert!(error.contains(expected), "{expected:?} in:\n{error}");
    }
    assert_eq!(totals(&app).await, before, "nothing written");

    // A value of the wrong kind is reported with its path, line and column.
    let unreadable = parse_dataset(
        "{\"events\": [\n {\"key\": \"a\", \"title\": \"x\", \"type\": \"meeting\", \"date\": 5}]}",
    )
    .expect_err("refused")
    .to_string();
    assert!(unreadable.contains("events[0].date"), "{unreadable}");
    assert!(unreadable.contains("line 2"), "{unreadable}");
    let misspelt = parse_dataset(r#"{"events": [{"key": "a", "titel": "x"}]}"#)
        .expect_err("refused")
        .to_string();
    assert!(misspelt.contains("unknown field `titel`"), "{misspelt}");
}

#[tokio::test]
async fn actors_and_sources_are_matched_before_anything_is_created() {
    let app = fixture_app().await;
    let file = r#"{
      "actors": [
        {"key": "by", "kind": "country", "name": "Republic of Belarus", "iso_code": "BY"},
        {"key": "vk", "kind": "person", "name": "Виктор Хренин", "aliases": ["V. Khrenin"]},
        {"key": "new", "kind": "person", "name": "Someone New"}
      ],
      "sources": [
        {"key": "cr", "outlet": "the cradle", "title": "IRAN INKS DEFENSE DEAL WITH RUSSIA ALLY BELARUS"}
      ],
      "events": [
        {"key": "talks", "title": "Khrenin meets someone new", "type": "meeting", "date": "2024-02",
         "actors": [{"actor": "vk", "role": "host"}, {"actor": "new", "role": "visitor"},
                    {"actor": "by", "role": "party"}],
         "citations": [{"source": "cr", "passage": "a passage"}]}
      ]
    }"#;
    let dataset = parse_dataset(file).expect("parses");
    let report = import(&app, &dataset, None, false).await;
    assert_eq!(report.matched.actors, 2, "{report}");
    assert_eq!(report.matched.sources, 1, "{report}");
    assert_eq!(report.created.actors, 1, "{report}");
    assert_eq!(report.created.sources, 0, "{report}");
    assert_eq!(report.created.events, 1, "{report}");
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.contains("“Republic of Belarus”") && l.contains("by its ISO code")),
        "{report}"
    );
    // Khrenin keeps his name and gains the file's other spelling.
    let actors: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/actors").await.body).expect("json");
    let khrenin = actors["actors"]
        .as_array()
        .expect("actors")
        .iter()
        .find(|a| a["name"] == "Viktor Khrenin")
        .expect("Khrenin kept his name");
    assert!(
        khrenin["aliases"]
            .as_array()
            .expect("aliases")
            .contains(&"V. Khrenin".into()),
        "{khrenin}"
    );
    let belarus = actors["actors"]
        .as_array()
        .expect("actors")
        .iter()
        .find(|a| a["name"] == "Belarus");
    assert!(belarus.is_some(), "Belarus kept its name");
    // The new event cites the existing source.
    let new_event = report
        .lines
        .iter()
        .find(|l| l.starts_with("created event"))
        .expect("a created event");
    let id: i64 = new_event["created event #".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("its id");
    let record = app.app.db.event_record(id).await.expect("read").expect("event").0;
    assert_eq!(
        record.citations[0].source_id, 1,
        "the Cradle's article, found by outlet and title"
    );
    assert_eq!(record.status, entente::domain::EventStatus::Published);

    // Two recorded actors answering to one name are an error that names both.
    let ambiguous = parse_dataset(
        r#"{"actors": [{"key": "x", "kind": "person", "name": "Someone New", "aliases": ["Viktor Khrenin"]}]}"#,
    )
    .expect("parses");
    let error = import_dataset(
        &app.app.db,
        &ambiguous,
        ImportOptions {
            file_name: "x.json",
            user_id: None,
            dry_run: false,
        },
    )
    .await
    .expect_err("refused")
    .to_string();
    assert!(error.contains("matches several actors"), "{error}");
}

#[tokio::test]
async fn every_record_imported_gets_a_revision_by_the_importing_account_naming_the_file() {
    let demo = demo_app().await;
    let dataset = export_dataset(&demo.app.db).await.expect("export");
    let app = empty_app().await;
    let user = app.add_user("Ingrid", "editor", PASSWORD).await;
    import(&app, &dataset, Some(user.id), false).await;
    let revisions = app.app.db.recent_revisions(1_000_000).await.expect("revisions");
    assert_eq!(
        revisions.len(),
        // A described outlet has two: its baseline, as the sources named it, and the
        // import's description.
        dataset.actors.len() + dataset.sources.len() + dataset.events.len() + 2 * dataset.outlets.len()
    );
    let eddie = app.sign_in("Ingrid", PASSWORD).await;
    let history = app.get_as(&eddie, "/events/1/history").await;
    assert_eq!(history.status, StatusCode::OK);
    history.assert_contains("Ingrid");
    history.assert_contains("Imported from events.json");
}

#[test]
fn the_published_schema_is_the_one_the_code_reads_and_the_shipped_files_follow_it() {
    let generated = entente::import::dataset_json_schema();
    let committed: serde_json::Value = serde_json::from_str(include_str!("../docs/dataset.schema.json"))
        .expect("the committed schema parses");
    assert_eq!(
        committed, generated,
        "docs/dataset.schema.json is out of date: run `cargo run -- dataset-schema > docs/dataset.schema.json`"
    );
    let validator = jsonschema::validator_for(&generated).expect("the schema compiles");
    for (name, text) in [
        ("data/demo.json", entente::import::DEMO_DATASET),
        ("tests/support/fixture.json", support::FIXTURE),
    ] {
        let file: serde_json::Value = serde_json::from_str(text).expect("json");
        let errors: Vec<String> = validator.iter_errors(&file).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    let misspelt =
        serde_json::json!({"events": [{"key": "a", "titel": "x", "type": "meeting", "date": "2023"}]});
    assert!(!validator.is_valid(&misspelt), "unknown fields are refused");
}

#[tokio::test]
async fn the_command_line_exports_imports_and_dry_runs() {
    let demo = demo_app().await;
    let file = demo.dir.path().join("collection.json");
    let export = Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(["export", "--database"])
        .arg(demo.dir.path().join("demo.sqlite3"))
        .arg(&file)
        .output()
        .expect("runs");
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let target = demo.dir.path().join("copy.sqlite3");
    let run = |dry: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_entente"));
        command.arg("import").arg("--database").arg(&target).arg(&file);
        if dry {
            command.arg("--dry-run");
        }
        let output = command.output().expect("runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let dry = run(true);
    assert!(
        dry.contains("would create: 38 actor(s), 10 source(s), 27 event(s)"),
        "{dry}"
    );
    assert!(dry.contains("dry run: nothing was written"));
    let real = run(false);
    assert!(
        real.contains("created: 38 actor(s), 10 source(s), 27 event(s)"),
        "{real}"
    );
    let again = run(false);
    assert!(
        again.contains("created: 0 actor(s), 0 source(s), 0 event(s)"),
        "{again}"
    );
    assert!(
        again.contains("unchanged: 38 actor(s), 10 source(s), 27 event(s)"),
        "{again}"
    );
    let unknown = Command::new(env!("CARGO_BIN_EXE_entente"))
        .arg("import")
        .arg("--database")
        .arg(&target)
        .arg("--as")
        .arg("nobody")
        .arg(&file)
        .output()
        .expect("runs");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account named “nobody”"));
}

async fn import_csv_text(app: &TestApp, text: &str, dry_run: bool) -> Result<ImportReport, String> {
    let batch = entente::import::parse_csv(text).map_err(|e| e.to_string())?;
    entente::import::import_csv(
        &app.app.db,
        &batch,
        ImportOptions {
            file_name: "batch.csv",
            user_id: None,
            dry_run,
        },
    )
    .await
    .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_csv_export_imported_back_finds_its_events_and_an_edited_row_changes_one() {
    let app = fixture_app().await;
    let exported = app.get("/timeline.csv").await.body;
    let before = totals(&app).await;
    let same = import_csv_text(&app, &exported, false).await.expect("imports");
    assert_eq!(same.created, Default::default(), "{same}");
    assert_eq!(same.changed, Default::default(), "{same}");
    assert_eq!(
        same.matched.events, 6,
        "every published event, by its permalink: {same}"
    );
    assert_eq!(totals(&app).await, before);
    let again = import_csv_text(&app, &exported, false).await.expect("imports");
    assert_eq!(again.created, Default::default(), "{again}");
    assert_eq!(again.changed, Default::default(), "{again}");
    assert_eq!(totals(&app).await, before);

    // A title corrected in a spreadsheet changes that event only; its sources stay.
    let edited = exported.replace("Khrenin visits Tehran", "Khrenin visits Tehran for talks");
    let report = import_csv_text(&app, &edited, false).await.expect("imports");
    assert_eq!(report.changed.events, 1, "{report}");
    let (record, _) = app.app.db.event_record(2).await.expect("read").expect("event");
    assert_eq!(record.title, "Khrenin visits Tehran for talks");
    assert!(!record.citations.is_empty(), "the citations stay");
    assert!(!record.participants.is_empty(), "the participants stay");
}

#[tokio::test]
async fn a_spreadsheet_batch_becomes_drafts_with_its_actors_found_by_name_or_alias() {
    let app = fixture_app().await;
    let batch = "title,type,date,countries,actors\n\
                 Khrenin inspects a drone plant,visit,2024-03,Belarus,Виктор Хренин\n\
                 A joint exercise,exercise,2024-05-10,Iran; Belarus,\n";
    let dry = import_csv_text(&app, batch, true).await.expect("a dry run");
    assert_eq!(dry.created.events, 2, "{dry}");
    assert_eq!(
        app.app.db.event_count().await.expect("count"),
        7,
        "nothing written by the dry run"
    );
    let report = import_csv_text(&app, batch, false).await.expect("imports");
    assert_eq!(report.created.events, 2, "{report}");
    let again = import_csv_text(&app, batch, false).await.expect("imports");
    assert_eq!(
        again.created,
        Default::default(),
        "keyed by title and date: {again}"
    );
    assert_eq!(again.unchanged.events, 2);
    let line = report
        .lines
        .iter()
        .find(|l| l.contains("Khrenin inspects"))
        .expect("a line");
    let id: i64 = line["created event #".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("its id");
    let (record, _) = app.app.db.event_record(id).await.expect("read").expect("event");
    assert_eq!(
        record.status,
        entente::domain::EventStatus::Draft,
        "a batch waits for review"
    );
    let names: Vec<(&str, &str)> = record
        .participants
        .iter()
        .map(|p| (p.name.as_str(), p.role.as_str()))
        .collect();
    assert_eq!(names, [("Belarus", "party"), ("Viktor Khrenin", "participant")]);
}

#[tokio::test]
async fn a_csv_file_with_bad_rows_writes_nothing_and_names_each_line() {
    let app = fixture_app().await;
    let before = totals(&app).await;
    let bad = "title,type,date,countries\n\
               Fine,meeting,2024-01-02,Iran\n\
               Odd,party,2024,Iran\n\
               Impossible,meeting,2023-02-30,\n\
               ,visit,2024,\n";
    let error = import_csv_text(&app, bad, false).await.expect_err("refused");
    for expected in [
        "line 3, type: “party” is not one of",
        "line 4, date: “2023-02-30”",
        "line 5, title: a title is needed",
    ] {
        assert!(error.contains(expected), "{expected:?} in:\n{error}");
    }
    let unknown = "title,type,date,countries,actors\nFine,meeting,2024-01-02,Narnia,Nobody Known\n";
    let error = import_csv_text(&app, unknown, false).await.expect_err("refused");
    assert!(
        error.contains("line 2, countries: no country is called “Narnia”"),
        "{error}"
    );
    assert!(
        error.contains("line 2, actors: no actor is called “Nobody Known”"),
        "{error}"
    );
    let missing = import_csv_text(&app, "name,date\nx,2024\n", false)
        .await
        .expect_err("refused");
    assert!(missing.contains("needs the columns title, type"), "{missing}");
    assert_eq!(totals(&app).await, before, "nothing written");
}

#[tokio::test]
async fn a_record_found_under_a_second_key_keeps_its_first_in_exports() {
    let app = fixture_app().await;
    let first = export_dataset(&app.app.db).await.expect("export");
    assert!(
        first.events.iter().any(|e| e.key == "mou"),
        "the fixture's own keys"
    );
    // A CSV export imported back names the events `event-{id}` too.
    let exported = app.get("/timeline.csv").await.body;
    import_csv_text(&app, &exported, false).await.expect("imports");
    let second = export_dataset(&app.app.db).await.expect("export");
    assert_eq!(
        serde_json::to_string(&first).expect("json"),
        serde_json::to_string(&second).expect("json")
    );
}

#[tokio::test]
async fn records_found_by_name_stay_as_they_are_at_every_later_import() {
    let app = fixture_app().await;
    let file = r#"{
      "actors": [
        {"key": "by", "kind": "country", "name": "Republic of Belarus", "iso_code": "BY"},
        {"key": "vk", "kind": "person", "name": "Виктор Хренин"}
      ],
      "sources": [
        {"key": "cr", "outlet": "the cradle", "title": "IRAN INKS DEFENSE DEAL WITH RUSSIA ALLY BELARUS"}
      ]
    }"#;
    let dataset = parse_dataset(file).expect("parses");
    let source_before = app
        .app
        .db
        .source_record(1)
        .await
        .expect("read")
        .expect("source")
        .0;
    import(&app, &dataset, None, false).await;
    let before = totals(&app).await;
    for _ in 0..2 {
        let again = import(&app, &dataset, None, false).await;
        assert_eq!(again.changed, Default::default(), "{again}");
        assert_eq!(again.matched.actors, 2, "{again}");
        assert_eq!(again.matched.sources, 1, "{again}");
    }
    assert_eq!(totals(&app).await, before, "no revision");
    let belarus = app.app.db.actor_record(2).await.expect("read").expect("actor").0;
    assert_eq!(belarus.name, "Belarus");
    assert!(belarus.aliases.contains(&"Republic of Belarus".to_owned()));
    let source_after = app
        .app
        .db
        .source_record(1)
        .await
        .expect("read")
        .expect("source")
        .0;
    assert_eq!(source_after, source_before, "the source keeps its own fields");
}

#[tokio::test]
async fn an_import_after_a_merge_settles_at_once() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let version = support::editing::actor_version(&app, 4).await;
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
    let dataset = parse_dataset(support::FIXTURE).expect("fixture parses");
    let first = import(&app, &dataset, None, false).await;
    assert_eq!(
        first.changed.actors, 0,
        "the merged actor keeps its fields: {first}"
    );
    let before = totals(&app).await;
    let second = import(&app, &dataset, None, false).await;
    assert_eq!(second.changed, Default::default(), "{second}");
    assert_eq!(totals(&app).await, before);
    let nasirzadeh = app.app.db.actor_record(5).await.expect("read").expect("actor").0;
    assert!(
        nasirzadeh.aliases.contains(&"Mohammad Reza Ashtiani".to_owned()),
        "the merge's alias stays: {nasirzadeh:?}"
    );
}

#[tokio::test]
async fn a_csv_id_alone_never_names_an_event() {
    let app = fixture_app().await;
    // Another database's file gave its key `event-2` to a new event here.
    let other = parse_dataset(
        r#"{"events": [{"key": "event-2", "title": "Another database's event", "type": "other", "date": "2020"}]}"#,
    )
    .expect("parses");
    import(&app, &other, None, false).await;
    // This database's own CSV export, imported back, touches none of them.
    let exported = app.get("/timeline.csv").await.body;
    let report = import_csv_text(&app, &exported, false).await.expect("imports");
    assert_eq!(report.changed, Default::default(), "{report}");
    assert_eq!(report.created, Default::default(), "{report}");
    let other_event = app.app.db.event_record(8).await.expect("read").expect("event").0;
    assert_eq!(other_event.title, "Another database's event");
    // A spreadsheet whose id column holds row numbers names no event by them.
    let sheet = "id,title,type,date\n1,A new row,meeting,2024-06\n";
    let report = import_csv_text(&app, sheet, false).await.expect("imports");
    assert_eq!(report.created.events, 1, "{report}");
    let mou = app.app.db.event_record(1).await.expect("read").expect("event").0;
    assert_eq!(mou.title, "Iran and Belarus sign defense MOU in Tehran");
}

#[tokio::test]
async fn an_export_never_gives_a_record_a_key_another_one_holds() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    // An event made in the form has no key; publish it.
    let created = app
        .post_as(&eddie, "/events/new", &support::editing::event_fields(&[]))
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = support::editing::event_id(created.location().expect("location"));
    let version = support::editing::version_of(&app, id).await;
    let published = app
        .post_as(
            &eddie,
            &format!("/events/{id}/status"),
            &[("action", "publish"), ("version", &version)],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    // A file gave the key `event-{id}` to another event (a draft) before.
    let other = parse_dataset(&format!(
        r#"{{"events": [{{"key": "event-{id}", "title": "A draft from a file", "type": "other", "date": "2020", "status": "draft"}}]}}"#
    ))
    .expect("parses");
    import(&app, &other, None, false).await;
    let exported = export_dataset(&app.app.db).await.expect("export");
    let mine = exported
        .events
        .iter()
        .find(|e| e.title == "Belarusian delegation tours a drone plant in Isfahan")
        .expect("the form's event");
    assert_ne!(mine.key, format!("event-{id}"), "that key is the draft's");
    // Importing the export back changes nothing: neither the draft nor the event.
    let before = totals(&app).await;
    let report = import(&app, &exported, None, false).await;
    assert_eq!(report.changed, Default::default(), "{report}");
    assert_eq!(report.created, Default::default(), "{report}");
    assert_eq!(totals(&app).await, before);
}

//! Provenance a researcher can cite: claims ranked by the editors (preferred,
//! alternative, deprecated, with reasons), the source's own dates ranked alike, figures
//! kept as quantities, and what the event page, the API, the history and the files make
//! of them.

use crate::support;

use axum::http::StatusCode;
use entente::domain::{Bound, Rank};
use entente::import::{ImportOptions, export_dataset, import_dataset};
use sqlx::Connection;
use support::editing::{borrowed, edit_fields};
use support::{TestApp, empty_app, fixture_app};

const PASSWORD: &str = "correct horse battery staple";

/// Sets the `nth` (0-based) value of a repeated form field.
fn set_nth(fields: &mut [(String, String)], name: &str, nth: usize, value: &str) {
    let field = fields
        .iter_mut()
        .filter(|(k, _)| k == name)
        .nth(nth)
        .unwrap_or_else(|| panic!("no field {name} #{nth}"));
    field.1 = value.to_owned();
}

const TOPIC: &str = "Shahed drones Russia has received";

/// The fixture's MOU event (#1) with its figures ranked (the Ukrainian count an
/// alternative, an old count deprecated) and the unnamed source's June date held as an
/// alternative.
async fn ranked_mou(app: &TestApp) -> support::Agent {
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let mut form = edit_fields(app, 1, &[("edit_summary", "Ranked the counts and the dates")]).await;
    set_nth(
        &mut form,
        "s_claims",
        0,
        &format!(
            "{TOPIC}: over 400 (according to White House)\n\
             {TOPIC}: above 1,000 (according to Ukrainian sources) [alternative: an estimate the White House does not share]\n\
             {TOPIC}: about 300 as of 2023-05 (according to White House) [deprecated: superseded by the July count]"
        ),
    );
    set_nth(&mut form, "s_claimed_rank", 1, "alternative");
    set_nth(
        &mut form,
        "s_claimed_reason",
        1,
        "the signing itself was reported on 31 July",
    );
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    eddie
}

#[tokio::test]
async fn ranks_decide_what_the_event_page_holds_and_what_it_shows_as_disputed() {
    let app = fixture_app().await;
    // Unranked, the two counts are a disagreement the editors have not settled.
    let before = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    before.assert_contains("which the editors have not ranked");
    ranked_mou(&app).await;

    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // The preferred value, marked disputed, in the box and in "What the sources say".
    page.assert_contains(&format!(
        "On <strong>{TOPIC}</strong>, this page holds <strong>more than 400</strong>, against:"
    ));
    page.assert_contains(
        "<strong>more than 1,000</strong>, according to Ukrainian sources (<a href=\"#source-1\">[1] The Cradle</a>), \
         an alternative: an estimate the White House does not share",
    );
    page.assert_lacks("which the editors have not ranked");
    page.assert_contains(r#"<section id="what-the-sources-say""#);
    page.assert_contains(&format!(
        r#"<h3 id="claim-topic-1">{TOPIC}: more than 400 <span class="flag">disputed</span></h3>"#
    ));
    // Every claim is listed with its rank; the deprecated one is not in the box.
    page.assert_contains(r#"<tr class="rank-deprecated">"#);
    page.assert_contains("about 300 as of May 2023");
    page.assert_contains(r#"Deprecated<span class="rank-reason">superseded by the July count</span>"#);
    let disagreement = &page.body
        [page.position("Sources disagree")..page.position("What the sources say</a>, claim by claim")];
    assert!(
        !disagreement.contains("about 300"),
        "a deprecated claim disputes nothing"
    );
    // The date: the June date is an alternative, with its reason, and the page's date
    // is marked disputed.
    page.assert_contains(r##"<a class="flag" href="#claim-topic-date">disputed</a>"##);
    page.assert_contains(
        "gives <strong>Jun 2023</strong>, which the editors hold as an alternative: the signing itself was \
         reported on 31 July.",
    );
    page.assert_contains(
        r#"<h3 id="claim-topic-date">Date of the event: 31 Jul 2023 <span class="flag">disputed</span></h3>"#,
    );
    // On the source itself, the rank is said beside the claim and the date.
    page.assert_contains(
        r#"<span class="rank-note">(alternative: the signing itself was reported on 31 July)</span>"#,
    );
    page.assert_contains(
        r#"<span class="rank-note">(alternative: an estimate the White House does not share)</span>"#,
    );
}

#[tokio::test]
async fn a_deprecated_date_is_no_disagreement_and_an_unranked_conflict_is_one() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let mut form = edit_fields(&app, 1, &[]).await;
    set_nth(&mut form, "s_claims", 0, "");
    set_nth(&mut form, "s_claimed_rank", 1, "deprecated");
    set_nth(&mut form, "s_claimed_reason", 1, "the outlet corrected itself");
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_lacks("Sources disagree");
    page.assert_contains(r#"<tr class="rank-deprecated">"#);
    page.assert_lacks(r##"href="#claim-topic-date">disputed"##);

    // A rank without a date to rank is refused, with the input kept.
    let mut form = edit_fields(&app, 1, &[]).await;
    set_nth(&mut form, "s_claimed", 1, "");
    let refused = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("a rank for its date needs the date the source gives");
    refused.assert_contains("the outlet corrected itself");
}

#[tokio::test]
async fn ranks_and_quantities_reach_the_api_the_history_and_the_dataset() {
    let app = fixture_app().await;
    let eddie = ranked_mou(&app).await;
    let detail = app.app.db.event(1).await.expect("query").expect("event");
    let claims = &detail.citations[0].claims;
    assert_eq!(
        claims.iter().map(|c| c.rank).collect::<Vec<_>>(),
        [Rank::Preferred, Rank::Alternative, Rank::Deprecated]
    );
    let old = claims[2].quantity.as_ref().expect("a quantity");
    assert_eq!((old.bound, old.low), (Bound::About, 300.0));
    assert_eq!(old.as_of.as_ref().map(|d| d.edtf()).as_deref(), Some("2023-05"));
    assert_eq!(detail.citations[1].claimed_date_rank, Rank::Alternative);

    // The API gives the structure and the ranks.
    let api: serde_json::Value = serde_json::from_str(&app.get("/api/v1/events/1").await.body).expect("json");
    let claim = &api["citations"][0]["claims"][1];
    assert_eq!(claim["value"], "more than 1,000");
    assert_eq!(claim["rank"], "alternative");
    assert_eq!(claim["rank_reason"], "an estimate the White House does not share");
    assert_eq!(claim["quantity"]["bound"], "more_than");
    assert_eq!(claim["quantity"]["low"], 1000.0);
    assert_eq!(api["citations"][1]["claimed_date_rank"], "alternative");

    // The revision keeps the ranks: comparing versions names them.
    let compare = app.get_as(&eddie, "/events/1/compare?from=1&to=2").await;
    assert_eq!(compare.status, StatusCode::OK);
    compare.assert_contains("more than 1,000, alternative: an estimate the White House does not share");
    compare.assert_contains("(dates it Jun 2023, alternative: the signing itself was reported on 31 July)");

    // An export carries them, and an import into an empty database keeps them.
    let dataset = export_dataset(&app.app.db).await.expect("export");
    let text = serde_json::to_value(&dataset).expect("json");
    let mou = text["events"]
        .as_array()
        .and_then(|events| {
            events
                .iter()
                .find(|e| e["title"] == "Iran and Belarus sign defense MOU in Tehran")
        })
        .expect("the MOU");
    assert_eq!(mou["citations"][1]["claimed_date_rank"], "alternative");
    assert_eq!(mou["citations"][0]["claims"][2]["rank"], "deprecated");
    assert_eq!(mou["citations"][0]["claims"][2]["quantity"]["as_of"], "2023-05");
    let empty = empty_app().await;
    let options = ImportOptions {
        file_name: "out.json",
        user_id: None,
        dry_run: false,
    };
    import_dataset(&empty.app.db, &dataset, options)
        .await
        .expect("import");
    let again = export_dataset(&empty.app.db).await.expect("export");
    assert_eq!(serde_json::to_value(&again).expect("json"), text);
}

#[tokio::test]
async fn claims_stored_before_quantities_existed_are_read_once_at_start() {
    let app = fixture_app().await;
    // As a database from before the migration holds them: text, no structure.
    let url = format!("sqlite://{}", app.database().display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    sqlx::query(
        "UPDATE claims SET value = 'over 400', quantity_bound = NULL, quantity_low = NULL \
          WHERE value = 'more than 400'",
    )
    .execute(&mut other)
    .await
    .expect("update");
    sqlx::query("INSERT INTO settings (key, value) VALUES ('claims_to_read', '1')")
        .execute(&mut other)
        .await
        .expect("mark");
    let stored: Option<f64> = sqlx::query_scalar("SELECT quantity_low FROM claims WHERE value = 'over 400'")
        .fetch_one(&mut other)
        .await
        .expect("read");
    assert_eq!(stored, None);
    let reopened = app.another_server().await;
    let detail = reopened.app.db.event(1).await.expect("query").expect("event");
    let claim = &detail.citations[0].claims[0];
    assert_eq!(claim.value, "more than 400");
    assert_eq!(claim.quantity.as_ref().map(|q| q.bound), Some(Bound::MoreThan));
}

#[tokio::test]
async fn a_sources_archived_copy_and_retrieval_day_are_edited_kept_and_linked() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let (source, version) = app.app.db.source_record(1).await.expect("query").expect("source");
    let version = version.to_string();
    let url = source.url.clone().unwrap_or_default();
    let published = source.published.as_ref().map(|d| d.edtf()).unwrap_or_default();
    let mut fields = vec![
        ("outlet", source.outlet.as_str()),
        ("title", source.title.as_str()),
        ("url", url.as_str()),
        ("published", published.as_str()),
        ("author", ""),
        ("notes", source.notes.as_str()),
        ("archive_url", "web.archive.org/x"),
        ("retrieved", "2023-08-02"),
        ("version", version.as_str()),
        ("edit_summary", "Archived"),
        ("next", "/events/1"),
    ];
    let refused = app.post_as(&eddie, "/sources/1/edit", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("The archived copy&#39;s address must start with http:// or https://.");
    refused.assert_contains(r#"value="web.archive.org/x""#);
    let archive = "https://web.archive.org/web/20230802/https://thecradle.co/x";
    fields[6].1 = archive;
    let saved = app.post_as(&eddie, "/sources/1/edit", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains(&format!(
        r#"<a class="archived" href="{archive}" rel="noopener noreferrer">Archived copy"#
    ));
    page.assert_contains("(retrieved 2 Aug 2023)");
    // The revision keeps them; the API and the dataset carry them.
    let (kept, _) = app.app.db.source_record(1).await.expect("query").expect("source");
    assert_eq!(kept.archive_url.as_deref(), Some(archive));
    let api: serde_json::Value = serde_json::from_str(&app.get("/api/v1/events/1").await.body).expect("json");
    assert_eq!(api["sources"][0]["archive_url"], archive, "{}", api["sources"]);
    let dataset = export_dataset(&app.app.db).await.expect("export");
    assert!(
        dataset.sources.iter().any(
            |s| s.archive_url.as_deref() == Some(archive) && s.retrieved.as_deref() == Some("2023-08-02")
        )
    );
    // The Data Package's sources table too.
    let table = app.get("/data/sources.csv").await;
    assert_eq!(table.status, StatusCode::OK);
    table.assert_contains("archive_url,retrieved,derived_from_id,derived_note");
    table.assert_contains(archive);
}

#[tokio::test]
async fn sources_check_lists_what_needs_attention_without_the_network() {
    let app = fixture_app().await;
    let url = format!("sqlite://{}", app.database().display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    sqlx::query("UPDATE sources SET url = 'thecradle.co/article' WHERE id = 1")
        .execute(&mut other)
        .await
        .expect("update");
    sqlx::query("UPDATE sources SET archive_url = 'https://web.archive.org/web/2023/x' WHERE id = 2")
        .execute(&mut other)
        .await
        .expect("update");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
        .args(["sources", "check", "--database"])
        .arg(app.database())
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = String::from_utf8_lossy(&output.stdout);
    let line = |id: i64| {
        listed
            .lines()
            .find(|l| l.starts_with(&format!("#{id}\t")))
            .map(str::to_owned)
    };
    let first = line(1).expect("source 1 is listed");
    assert!(first.contains("address: not a web address"), "{first}");
    assert!(first.contains("no archived copy"), "{first}");
    assert_eq!(
        line(2),
        None,
        "an archived source with a good address is not listed"
    );
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(summary.contains("sources need attention"), "{summary}");
}

/// The source form of source `id` as its page fills it, with `changes`.
async fn source_form(app: &TestApp, id: i64, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let (source, version) = app
        .app
        .db
        .source_record(id)
        .await
        .expect("query")
        .expect("source");
    let mut fields: Vec<(String, String)> = [
        ("outlet", source.outlet.clone()),
        ("title", source.title.clone()),
        ("url", source.url.clone().unwrap_or_default()),
        (
            "published",
            source.published.as_ref().map(|d| d.edtf()).unwrap_or_default(),
        ),
        ("author", source.author.clone().unwrap_or_default()),
        ("notes", source.notes.clone()),
        ("archive_url", source.archive_url.clone().unwrap_or_default()),
        (
            "retrieved",
            source.retrieved.as_ref().map(|d| d.edtf()).unwrap_or_default(),
        ),
        (
            "derived_from",
            source.derived_from.map(|p| format!("#{p}")).unwrap_or_default(),
        ),
        ("derived_note", source.derived_note.clone()),
        ("version", version.to_string()),
        ("edit_summary", String::new()),
        ("next", "/events/1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (key, value) in changes {
        if let Some(field) = fields.iter_mut().find(|(k, _)| k == key) {
            field.1 = (*value).to_owned();
        }
    }
    fields
}

#[tokio::test]
async fn sources_derived_from_others_count_once_and_cycles_are_refused() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    // A third source on the MOU: a TASS item the other two rewrite.
    let mut form = edit_fields(&app, 1, &[]).await;
    for (key, value) in [
        ("s_citation", ""),
        ("s_outlet", "TASS"),
        ("s_title", "Iran and Belarus sign a memorandum"),
        ("s_url", "https://tass.example/1"),
        ("s_published", "2023-07-31"),
        ("s_passage", "The defense ministers signed a memorandum."),
        ("s_claimed", ""),
        ("s_note", ""),
        ("s_claims", ""),
        ("s_claimed_rank", ""),
        ("s_claimed_reason", ""),
    ] {
        form.push((key.to_owned(), value.to_owned()));
    }
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("3 sources, cited below");

    // The Cradle (1) rewrites the unnamed outlet (2), which rewrites TASS (3).
    let chain = [(2, "#3", "a rewrite of the TASS item"), (1, "3", "")];
    for (id, parent, note) in chain {
        let fields = source_form(&app, id, &[("derived_from", parent), ("derived_note", note)]).await;
        let saved = app
            .post_as(&eddie, &format!("/sources/{id}/edit"), &borrowed(&fields))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    let fields = source_form(&app, 1, &[("derived_from", "#2")]).await;
    let saved = app.post_as(&eddie, "/sources/1/edit", &borrowed(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("3 sources, 1 independent, cited below");
    page.assert_contains(
        "Derived from TASS, “Iran and Belarus sign a memorandum”: a rewrite of the TASS item.",
    );
    // Timeline entries and the API say it too.
    let timeline = app.get("/").await;
    timeline.assert_contains("3 sources, 1 independent");
    let listed: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/events").await.body).expect("json");
    let mou = listed["events"]
        .as_array()
        .and_then(|events| events.iter().find(|e| e["id"] == 1))
        .expect("the MOU in the list");
    assert_eq!(mou["source_count"], 3);
    assert_eq!(mou["independent_source_count"], 1);

    // A link back up the chain is a cycle; a source cannot derive from itself or from
    // a source that does not exist.
    for (id, parent, message) in [
        (3, "#1", "Source #1 derives from this source already"),
        (3, "#3", "A source cannot derive from itself."),
        (3, "#99", "There is no source #99."),
        (
            3,
            "TASS",
            "Give the source it derives from by its number, as #12.",
        ),
    ] {
        let fields = source_form(&app, id, &[("derived_from", parent)]).await;
        let refused = app
            .post_as(&eddie, &format!("/sources/{id}/edit"), &borrowed(&fields))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{parent}");
        refused.assert_contains(message);
    }

    // Removing a link counts the sources apart again.
    let fields = source_form(&app, 2, &[("derived_from", "")]).await;
    let saved = app.post_as(&eddie, "/sources/2/edit", &borrowed(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("3 sources, 2 independent, cited below");

    // The dataset keeps the links, the source derived from first.
    let dataset = export_dataset(&app.app.db).await.expect("export");
    let keys: Vec<&str> = dataset.sources.iter().map(|s| s.key.as_str()).collect();
    let cradle = dataset
        .sources
        .iter()
        .position(|s| s.outlet == "The Cradle")
        .expect("cradle");
    let parent = dataset.sources[cradle].derived_from.as_deref().expect("a link");
    let unnamed = keys.iter().position(|k| *k == parent).expect("parent listed");
    assert!(unnamed < cradle, "{keys:?}");
    let empty = empty_app().await;
    let options = ImportOptions {
        file_name: "out.json",
        user_id: None,
        dry_run: false,
    };
    import_dataset(&empty.app.db, &dataset, options)
        .await
        .expect("import");
    let again = export_dataset(&empty.app.db).await.expect("export");
    assert_eq!(
        serde_json::to_value(&again).expect("json"),
        serde_json::to_value(&dataset).expect("json")
    );

    // A source derived from is exported even when no event cites it any more.
    let fields = source_form(&app, 2, &[("derived_from", "#3")]).await;
    let saved = app.post_as(&eddie, "/sources/2/edit", &borrowed(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mut form = edit_fields(&app, 1, &[]).await;
    let tass = app
        .app
        .db
        .event(1)
        .await
        .expect("query")
        .expect("event")
        .citations
        .iter()
        .find(|c| c.source.outlet == "TASS")
        .expect("TASS cited")
        .id;
    form.push(("s_remove".to_owned(), tass.to_string()));
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let dataset = export_dataset(&app.app.db).await.expect("export");
    assert!(
        dataset.sources.iter().any(|s| s.outlet == "TASS"),
        "the parent is kept"
    );
    let parent = dataset
        .sources
        .iter()
        .position(|s| s.outlet == "TASS")
        .expect("TASS");
    let key = dataset.sources[parent].key.clone();
    let child = dataset
        .sources
        .iter()
        .position(|s| s.derived_from.as_deref() == Some(key.as_str()))
        .expect("and the link to it");
    assert!(parent < child, "the parent first");
}

#[tokio::test]
async fn outlets_are_records_edited_with_revisions_and_renamed_with_their_sources() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let cradle = app
        .app
        .db
        .outlet_named("The Cradle")
        .await
        .expect("query")
        .expect("every outlet a source names is a record");
    assert_eq!(cradle.outlet.kind, entente::domain::OutletKind::Unidentified);
    // Readers see no editing link; editors do.
    let page = app.get("/outlets/The%20Cradle").await;
    page.assert_lacks("Edit this outlet");
    let edit_url = format!("/outlets/{}/edit", cradle.id);
    let page = app.get_as(&eddie, "/outlets/The%20Cradle").await;
    page.assert_contains(&format!(r#"<a href="{edit_url}">Edit this outlet</a>"#));

    let version = cradle.version.to_string();
    let mut fields = vec![
        ("name", "The Cradle"),
        ("kind", "independent_press"),
        ("country", "LB"),
        ("language", "English"),
        ("note", "A news site based in Beirut."),
        ("edit_summary", "Described the outlet"),
        ("version", version.as_str()),
    ];
    let refused = app.post_as(&eddie, &edit_url, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("There is no country with the code “LB”.");
    fields[2].1 = "IR";
    fields[1].1 = "gossip";
    let refused = app.post_as(&eddie, &edit_url, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Choose what kind of outlet it is");
    fields[1].1 = "independent_press";
    let saved = app.post_as(&eddie, &edit_url, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get("/outlets/The%20Cradle").await;
    page.assert_contains("Outlet: Independent press");
    page.assert_contains("A news site based in Beirut.");
    page.assert_contains("<dt>Language</dt><dd>English</dd>");
    page.assert_contains(">Iran</a>");
    let api: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/outlets/The%20Cradle").await.body).expect("json");
    assert_eq!(api["kind"], "independent_press");
    assert_eq!(api["country"], "IR");
    assert_eq!(api["language"], "English");
    // Datasets describe outlets; an import into an empty database, or a whole load,
    // keeps the description.
    let dataset = export_dataset(&app.app.db).await.expect("export");
    let described = dataset
        .outlets
        .iter()
        .find(|o| o.name == "The Cradle")
        .expect("described");
    assert_eq!(described.kind, "independent_press");
    assert!(described.country.is_some());
    let empty = empty_app().await;
    let options = ImportOptions {
        file_name: "out.json",
        user_id: None,
        dry_run: false,
    };
    import_dataset(&empty.app.db, &dataset, options)
        .await
        .expect("import");
    let again = export_dataset(&empty.app.db).await.expect("export");
    assert_eq!(again.outlets, dataset.outlets);
    let loaded = empty_app().await;
    entente::import::load_dataset(&loaded.app.db, &dataset)
        .await
        .expect("load");
    let record = loaded
        .app
        .db
        .outlet_named("The Cradle")
        .await
        .expect("query")
        .expect("outlet");
    assert_eq!(record.outlet.kind, entente::domain::OutletKind::IndependentPress);

    // A stale form is a conflict that shows what changed.
    let stale = app.post_as(&eddie, &edit_url, &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // The history keeps both versions; comparing names the kind.
    let history_url = format!("/outlets/{}/history", cradle.id);
    let history = app.get_as(&eddie, &history_url).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    history.assert_contains("Described the outlet");
    let compare = app
        .get_as(&eddie, &format!("/outlets/{}/compare?from=1&to=2", cradle.id))
        .await;
    compare.assert_contains("Independent press");

    // A rename renames it on its sources; the old address leads to the new one.
    let version = "2".to_owned();
    let renamed = [
        ("name", "The Cradle (Beirut)"),
        ("kind", "independent_press"),
        ("country", "IR"),
        ("language", "English"),
        ("note", "A news site based in Beirut."),
        ("edit_summary", "Full name"),
        ("version", version.as_str()),
    ];
    let saved = app.post_as(&eddie, &edit_url, &renamed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (source, _) = app.app.db.source_record(1).await.expect("query").expect("source");
    assert_eq!(source.outlet, "The Cradle (Beirut)");
    let old = app.get("/outlets/The%20Cradle").await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.location(), Some("/outlets/The%20Cradle%20%28Beirut%29"));
    let event = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    event.assert_contains("The Cradle (Beirut)");
    // A source form loaded before the rename keeps the source with its outlet.
    let stale = source_form(&app, 1, &[("outlet", "The Cradle"), ("notes", "Checked again")]).await;
    let saved = app.post_as(&eddie, "/sources/1/edit", &borrowed(&stale)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (source, _) = app.app.db.source_record(1).await.expect("query").expect("source");
    assert_eq!(source.outlet, "The Cradle (Beirut)");
    let filtered = app.get("/?outlet=The+Cradle").await;
    assert_eq!(
        filtered.status,
        StatusCode::PERMANENT_REDIRECT,
        "{}",
        filtered.body
    );
    assert!(
        filtered.location().is_some_and(|l| l.contains("Beirut")),
        "{:?}",
        filtered.location()
    );
    // Two outlets cannot share a name.
    let version = "3".to_owned();
    let taken = [
        ("name", "Unidentified news outlet"),
        ("kind", "independent_press"),
        ("country", ""),
        ("language", ""),
        ("note", ""),
        ("edit_summary", ""),
        ("version", version.as_str()),
    ];
    let refused = app.post_as(&eddie, &edit_url, &taken).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    refused.assert_contains("Another outlet is named “Unidentified news outlet” already");

    // Bringing back version 2 brings back the old name.
    let csrf = support::csrf_in(&app.get_as(&eddie, &history_url).await);
    let reverted = app
        .post_as(
            &eddie,
            &format!("/outlets/{}/revert", cradle.id),
            &[("from_version", "2"), ("version", "3"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(reverted.status, StatusCode::SEE_OTHER, "{}", reverted.body);
    let (source, _) = app.app.db.source_record(1).await.expect("query").expect("source");
    assert_eq!(source.outlet, "The Cradle");
    assert_eq!(app.get("/outlets/The%20Cradle").await.status, StatusCode::OK);
}

/// The verification badge of an event page.
fn verification_of(page: &support::Page) -> String {
    let start = page.position(r#"<span class="verification verification-"#);
    let rest = &page.body[start..];
    let open = rest.find('>').expect("badge") + 1;
    let close = rest.find("</span>").expect("badge end");
    rest[open..close].to_owned()
}

#[tokio::test]
async fn verification_is_derived_from_sources_outlets_and_ranks_and_editors_may_override_it() {
    let app = fixture_app().await;
    let mou = "/events/1/iran-and-belarus-sign-defense-mou-in-tehran";
    let visit = "/events/2/khrenin-visits-tehran";
    assert_eq!(
        verification_of(&app.get(mou).await),
        "Corroborated",
        "two independent sources"
    );
    assert_eq!(verification_of(&app.get(visit).await), "Single source");
    // Timeline entries carry the badge.
    app.get("/")
        .await
        .assert_contains(r#"<span class="verification verification-corroborated">Corroborated</span>"#);

    // An alternative claim from an independent source disputes the MOU.
    let eddie = ranked_mou(&app).await;
    assert_eq!(verification_of(&app.get(mou).await), "Disputed");

    // The Cradle described as Belarus's official channel: the visit, in which Belarus
    // takes part, is officially confirmed.
    let cradle = app
        .app
        .db
        .outlet_named("The Cradle")
        .await
        .expect("query")
        .expect("outlet");
    let version = cradle.version.to_string();
    let fields = [
        ("name", "The Cradle"),
        ("kind", "official"),
        ("country", "BY"),
        ("language", ""),
        ("note", ""),
        ("edit_summary", ""),
        ("version", version.as_str()),
    ];
    let saved = app
        .post_as(&eddie, &format!("/outlets/{}/edit", cradle.id), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(verification_of(&app.get(visit).await), "Officially confirmed");

    // An editor overrides it, with a reason readers see; without one it is refused.
    let form = edit_fields(&app, 2, &[("verification", "denied")]).await;
    let refused = app.post_as(&eddie, "/events/2/edit", &borrowed(&form)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Say why the status differs from the one the sources give.");
    let form = edit_fields(
        &app,
        2,
        &[
            ("verification", "denied"),
            ("verification_reason", "Minsk denied the visit the next day"),
        ],
    )
    .await;
    let saved = app.post_as(&eddie, "/events/2/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get(visit).await;
    assert_eq!(verification_of(&page), "Denied");
    page.assert_contains(
        "(the editors' judgement: Minsk denied the visit the next day; the sources alone give “Officially confirmed”)",
    );
    let api: serde_json::Value = serde_json::from_str(&app.get("/api/v1/events/2").await.body).expect("json");
    assert_eq!(api["verification"], "denied");
    assert_eq!(api["verification_reason"], "Minsk denied the visit the next day");
    // The form shows the override back, and clearing it returns to the sources' status.
    let form = app.get_as(&eddie, "/events/2/edit").await;
    form.assert_contains(r#"<option value="denied" selected>Denied</option>"#);
    form.assert_contains("as the sources give it (Officially confirmed)");
    let cleared = edit_fields(&app, 2, &[("verification", ""), ("verification_reason", "")]).await;
    let saved = app.post_as(&eddie, "/events/2/edit", &borrowed(&cleared)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(verification_of(&app.get(visit).await), "Officially confirmed");
}

#[tokio::test]
async fn the_timeline_filters_by_verification_alternative_claims_and_one_independent_source() {
    let app = fixture_app().await;
    ranked_mou(&app).await;
    let mou = "Iran and Belarus sign defense MOU in Tehran";
    let visit = "Khrenin visits Tehran";

    let disputed = app.get("/?verification=disputed").await;
    assert_eq!(disputed.status, StatusCode::OK, "{}", disputed.body);
    disputed.assert_contains(mou);
    disputed.assert_lacks(visit);
    disputed.assert_contains("Verification: Disputed");
    let alternatives = app.get("/?alternatives=yes").await;
    alternatives.assert_contains(mou);
    alternatives.assert_lacks(visit);
    alternatives.assert_contains("With alternative claims");
    let single = app.get("/?independent=1").await;
    single.assert_contains(visit);
    single.assert_lacks(mou);
    single.assert_contains("One independent source");
    // Several statuses match any of them.
    let either = app
        .get("/?verification=disputed&verification=single_source")
        .await;
    either.assert_contains(mou);
    either.assert_contains(visit);

    // The facet counts the view's events by status, each a link narrowing to it.
    let all = app.get("/").await;
    all.assert_contains(r#"id="facet-verification""#);
    all.assert_contains(r#"href="/?verification=disputed""#);
    // The parameters have one canonical order and refuse what they do not know.
    let reordered = app.get("/?alternatives=yes&verification=disputed").await;
    assert_eq!(reordered.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        reordered.location(),
        Some("/?verification=disputed&alternatives=yes")
    );
    for (query, message) in [
        ("verification=proven", "is not a verification status"),
        ("alternatives=maybe", "is not yes or no"),
        ("independent=many", "is not a number of sources"),
    ] {
        let refused = app.get(&format!("/?{query}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{query}");
        refused.assert_contains(message);
    }

    // The API takes the same parameters and gives the facet.
    let api: serde_json::Value = serde_json::from_str(
        &app.get("/api/v1/events?verification=disputed&include=facets")
            .await
            .body,
    )
    .expect("json");
    assert_eq!(api["total"], 1);
    assert_eq!(api["events"][0]["verification"], "disputed");
    assert_eq!(api["facets"]["verification"][0]["value"], "disputed");
    assert_eq!(api["facets"]["verification"][0]["count"], 1);
}

#[tokio::test]
async fn an_event_keeps_when_it_was_announced_signed_and_entered_into_force() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let form = edit_fields(&app, 1, &[("signed", "2023-07-31"), ("in_force", "2023-13")]).await;
    let refused = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(r#"id="in_force-error""#);
    refused.assert_contains(r#"value="2023-07-31""#);
    let form = edit_fields(
        &app,
        1,
        &[
            ("announced", "2023-07~"),
            ("signed", "2023-07-31"),
            ("in_force", ""),
        ],
    )
    .await;
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("<dt>Signed</dt>\n        <dd>31 Jul 2023</dd>");
    page.assert_contains("<dt>Announced</dt>\n        <dd>c. Jul 2023</dd>");
    page.assert_lacks("<dt>Entered into force</dt>");
    let api: serde_json::Value = serde_json::from_str(&app.get("/api/v1/events/1").await.body).expect("json");
    assert_eq!(api["signed"], "2023-07-31");
    assert_eq!(api["announced"], "2023-07~");
    let dataset = export_dataset(&app.app.db).await.expect("export");
    let mou = dataset
        .events
        .iter()
        .find(|e| e.title.contains("MOU"))
        .expect("MOU");
    assert_eq!(mou.signed.as_deref(), Some("2023-07-31"));
    // An edit that does not touch them keeps them.
    let form = edit_fields(
        &app,
        1,
        &[("title", "Iran and Belarus sign a defense MOU in Tehran")],
    )
    .await;
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let detail = app.app.db.event(1).await.expect("query").expect("event");
    assert_eq!(detail.event.signed_edtf.as_deref(), Some("2023-07-31"));
}

#[tokio::test]
async fn what_the_editors_infer_is_marked_as_such_for_readers() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", PASSWORD).await;
    let eddie = app.sign_in("Eddie", PASSWORD).await;
    let mut form = edit_fields(
        &app,
        1,
        &[
            (
                "place_inference",
                "Khrenin was in Tehran that week; no source names the city of the signing",
            ),
            ("date_note", "Signed on the Monday of the visit, in 2023"),
            ("date_note_inference", "the weekday fixes the year, not a passage"),
        ],
    )
    .await;
    // The FDD is named by no passage: an inference, with why.
    let fdd = form
        .iter()
        .position(|(k, v)| k == "p_actor" && v.contains("Foundation"))
        .expect("the FDD's row");
    let row = form[..fdd].iter().filter(|(k, _)| k == "p_actor").count();
    let inference = form
        .iter_mut()
        .filter(|(k, _)| k == "p_inference")
        .nth(row)
        .expect("its inference field");
    inference.1 = "read from the FDD report".to_owned();
    form.push(("r_event".to_owned(), "#2".to_owned()));
    form.push(("r_relation".to_owned(), "related_to".to_owned()));
    form.push(("r_note".to_owned(), String::new()));
    form.push(("r_inference".to_owned(), "the same trip, by its dates".to_owned()));
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains(
        r#"<span class="inference">editors' inference: Khrenin was in Tehran that week; no source names the city of the signing</span>"#,
    );
    page.assert_contains(r#"<span class="inference">editors' inference: read from the FDD report</span>"#);
    page.assert_contains(r#"<span class="inference">editors' inference: the same trip, by its dates</span>"#);
    page.assert_contains(
        r#"<span class="inference">editors' inference: the weekday fixes the year, not a passage</span>"#,
    );
    // The API, the history and the dataset keep them.
    let api: serde_json::Value = serde_json::from_str(&app.get("/api/v1/events/1").await.body).expect("json");
    assert_eq!(
        api["place_inference"],
        "Khrenin was in Tehran that week; no source names the city of the signing"
    );
    assert!(
        api["actors"]
            .as_array()
            .expect("actors")
            .iter()
            .any(|p| p["inference"] == "read from the FDD report"),
        "{}",
        api["actors"]
    );
    let compare = app.get_as(&eddie, "/events/1/compare?from=1&to=2").await;
    compare.assert_contains("(editors&#39; inference: the same trip, by its dates)");
    let dataset = export_dataset(&app.app.db).await.expect("export");
    let mou = dataset
        .events
        .iter()
        .find(|e| e.title.contains("MOU"))
        .expect("MOU");
    assert!(mou.place_inference.is_some());
    assert!(mou.relations.iter().any(|r| r.inference.is_some()));
    assert!(mou.actors.iter().any(|p| p.inference.is_some()));
    // Merging a participant into another actor keeps the mark.
    let detail = app.app.db.event(1).await.expect("query").expect("event");
    let fdd = detail
        .participants
        .iter()
        .find(|p| p.actor.name.contains("Foundation"))
        .expect("FDD")
        .actor
        .id;
    let other = app.app.db.event(3).await.expect("query").expect("event");
    let gomel = other
        .participants
        .iter()
        .find(|p| p.actor.kind == entente::domain::ActorKind::Facility)
        .expect("a facility")
        .actor
        .id;
    let db = &app.app.db;
    let version = |id| async move { db.actor_record(id).await.expect("query").expect("actor").1 };
    let editor = db.user_by_name("Eddie").await.expect("query").expect("user");
    db.merge_actors(
        (fdd, version(fdd).await),
        (gomel, version(gomel).await),
        editor.id,
    )
    .await
    .expect("merged");
    let merged = db.event(1).await.expect("query").expect("event");
    assert!(
        merged
            .participants
            .iter()
            .any(|p| p.actor.id == gomel && p.inference.as_deref() == Some("read from the FDD report")),
        "the inference moves with the participant"
    );
    // Saving the form again keeps them.
    let again = edit_fields(
        &app,
        1,
        &[("title", "Iran and Belarus sign a defense MOU in Tehran")],
    )
    .await;
    let saved = app.post_as(&eddie, "/events/1/edit", &borrowed(&again)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let detail = app.app.db.event(1).await.expect("query").expect("event");
    assert!(detail.event.place_inference.is_some());
    assert!(detail.event.date_note_inference.is_some());
    assert!(detail.participants.iter().any(|p| p.inference.is_some()));
    assert!(detail.relations.iter().any(|r| r.inference.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_check_online_asks_each_address_and_offline_asks_none() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A site of our own on 127.0.0.1: one page answers, one is gone; every request counted.
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let site = axum::Router::new()
        .route("/article", axum::routing::get(|| async { "the article" }))
        .route("/gone", axum::routing::get(|| async { StatusCode::NOT_FOUND }))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    next.run(request).await
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, site).await });

    let app = fixture_app().await;
    let url = format!("sqlite://{}", app.database().display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    sqlx::query("UPDATE sources SET url = ?1, archive_url = ?2 WHERE id = 1")
        .bind(format!("http://{address}/article"))
        .bind(format!("http://{address}/gone"))
        .execute(&mut other)
        .await
        .expect("update");
    other.close().await.expect("close");
    let database = app.database();
    let run = move |online: bool| {
        let database = database.clone();
        tokio::task::spawn_blocking(move || {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_entente"));
            command.args(["sources", "check", "--database"]).arg(&database);
            // Our site is local: no proxy of the machine's stands between.
            command.env("NO_PROXY", "127.0.0.1").env("no_proxy", "127.0.0.1");
            if online {
                command.arg("--online");
            }
            let output = command.output().expect("runs");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8_lossy(&output.stdout).into_owned()
        })
    };
    let offline = run(false).await.expect("ran");
    assert_eq!(asked.load(Ordering::SeqCst), 0, "no request without --online");
    assert!(!offline.contains("answers"), "{offline}");
    let online = run(true).await.expect("ran");
    assert!(asked.load(Ordering::SeqCst) >= 2, "both addresses asked");
    let first = online
        .lines()
        .find(|l| l.starts_with("#1\t"))
        .unwrap_or_else(|| panic!("source 1 is listed: {online}"));
    assert!(first.contains("archived copy: answers 404 Not Found"), "{first}");
    assert!(
        !first.contains("address: answers"),
        "the article answers: {first}"
    );
}

#[test]
fn a_quantity_given_whole_counts_only_when_it_reads_back() {
    let claim: entente::domain::Claim = serde_json::from_value(serde_json::json!({
        "topic": "Drones",
        "value": "over 400",
        "quantity": {"bound": "exactly", "low": 500.0, "high": 300.0, "unit": "drones"}
    }))
    .expect("claim");
    assert_eq!(
        claim.value, "more than 400",
        "an impossible range is ignored: the value is read"
    );
    let given: entente::domain::Claim = serde_json::from_value(serde_json::json!({
        "topic": "Drones",
        "value": "anything",
        "quantity": {"bound": "up_to", "low": 100000.0, "unit": "a year"}
    }))
    .expect("claim");
    assert_eq!(given.value, "up to 100,000 a year");
}

#[tokio::test]
async fn an_import_refuses_a_rank_for_a_date_the_source_does_not_give() {
    let app = fixture_app().await;
    let mut dataset = export_dataset(&app.app.db).await.expect("export");
    let citation = &mut dataset.events[1].citations[0];
    citation.claimed_date = None;
    citation.claimed_date_rank = Rank::Alternative;
    let options = ImportOptions {
        file_name: "bad.json",
        user_id: None,
        dry_run: false,
    };
    let refused = import_dataset(&app.app.db, &dataset, options).await;
    let message = format!("{refused:?}");
    assert!(
        message.contains("a rank for the source's date needs the date"),
        "{message}"
    );
}

//! The filtered timeline: each filter, their combinations, date-precision overlap,
//! canonical URLs, chips and bad parameters.

use crate::support;

use axum::http::StatusCode;
use support::{Page, TestApp, fixture_app};

const MOU: &str = "Iran and Belarus sign defense MOU in Tehran";
const VISIT: &str = "Khrenin visits Tehran";
const ENGINEERS: &str = "Iranian engineers visit the Gomel plant";
const BRICS: &str = "Belarus applies to join BRICS";
const MINSK: &str = "Defense-industry agreement signed in Minsk";
const GOMEL: &str = "Gomel plant retrofits drones";
const ALL: [&str; 6] = [MOU, VISIT, ENGINEERS, BRICS, MINSK, GOMEL];

/// Asserts the page lists exactly `expected` among the fixture's published events.
fn assert_lists(page: &Page, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for title in ALL {
        let listed = page.body.contains(&format!(">{title}</a></h4>"));
        assert_eq!(
            listed,
            expected.contains(&title),
            "{title}: listed={listed}, expected {expected:?}"
        );
    }
    page.assert_contains(&format!("{} matching events", expected.len()));
}

async fn view(app: &TestApp, query: &str) -> Page {
    app.get(&format!("/?{query}")).await
}

#[tokio::test]
async fn country_filter_keeps_events_involving_that_country() {
    let app = fixture_app().await;
    // Iran takes part in the MOU and the engineers' visit, and is where Khrenin's visit happened.
    assert_lists(&view(&app, "country=IR").await, &[MOU, VISIT, ENGINEERS]);
}

#[tokio::test]
async fn two_countries_mean_events_involving_both() {
    let app = fixture_app().await;
    assert_lists(
        &view(&app, "country=BY&country=IR").await,
        &[MOU, VISIT, ENGINEERS],
    );
    let belarus = view(&app, "country=BY").await;
    assert_lists(&belarus, &[MOU, VISIT, ENGINEERS, BRICS, MINSK]);
}

#[tokio::test]
async fn type_filter_is_repeatable() {
    let app = fixture_app().await;
    assert_lists(&view(&app, "type=visit").await, &[VISIT, ENGINEERS]);
    assert_lists(
        &view(&app, "type=visit&type=agreement").await,
        &[MOU, VISIT, ENGINEERS, MINSK],
    );
}

#[tokio::test]
async fn date_range_matches_events_whose_possible_days_overlap_it() {
    let app = fixture_app().await;
    // June–July 2023 overlaps 31 July and the year-only 2023 event, not May 2023 nor
    // "until May 2023".
    assert_lists(&view(&app, "from=2023-06&to=2023-07").await, &[MOU, VISIT, BRICS]);
    // A day inside May matches the month-precision event and the year-only one.
    assert_lists(
        &view(&app, "from=2023-05-10&to=2023-05-10").await,
        &[ENGINEERS, BRICS, GOMEL],
    );
    assert_lists(&view(&app, "from=2025").await, &[MINSK]);
    assert_lists(&view(&app, "to=2022").await, &[GOMEL]);
    // Narrow ranges are looked up in the R*Tree of spans, wide ones by walking the
    // timeline: both must agree on the open start ("until May 2023") and the year.
    assert_lists(
        &view(&app, "from=2023-05-31&to=2023-06-01").await,
        &[ENGINEERS, BRICS, GOMEL],
    );
    assert_lists(
        &view(&app, "from=2010&to=2023-05-31").await,
        &[ENGINEERS, BRICS, GOMEL],
    );
    assert_lists(
        &view(&app, "from=2021&to=2023-05-31").await,
        &[ENGINEERS, BRICS, GOMEL],
    );
    assert_lists(&view(&app, "from=2023-12-31&to=2024-12").await, &[BRICS]);
    assert_lists(&view(&app, "from=2000&to=2030").await, &ALL);
}

#[tokio::test]
async fn filters_combine() {
    let app = fixture_app().await;
    assert_lists(&view(&app, "country=BY&type=agreement&from=2024").await, &[MINSK]);
    let none = view(&app, "country=IR&type=statement").await;
    assert_lists(&none, &[]);
    none.assert_contains("No published event matches these filters.");
}

#[tokio::test]
async fn every_view_has_one_canonical_address() {
    let app = fixture_app().await;
    let page = view(
        &app,
        "type=visit&country=ir&from=&to=&country=BY&type=agreement&utm=x",
    )
    .await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        page.location(),
        Some("/?country=BY&country=IR&type=visit&type=agreement")
    );
    let canonical = app.get(page.location().unwrap()).await;
    assert_eq!(canonical.status, StatusCode::OK);
    // A blank form submits empty fields: they vanish.
    let blank = view(&app, "country=&country=&from=&to=").await;
    assert_eq!(blank.location(), Some("/"));
    // Dates are written back in their canonical form.
    let dates = view(&app, "from=%202023-05%20").await;
    assert_eq!(dates.location(), Some("/?from=2023-05"));
}

#[tokio::test]
async fn active_filters_show_as_chips_that_remove_themselves() {
    let app = fixture_app().await;
    let page = view(&app, "country=BY&country=IR&type=visit&from=2023").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Country: Belarus <a href=\"/?country=IR&#38;type=visit&#38;from=2023\"");
    page.assert_contains("Country: Iran <a href=\"/?country=BY&#38;type=visit&#38;from=2023\"");
    page.assert_contains("Type: Visit <a href=\"/?country=BY&#38;country=IR&#38;from=2023\"");
    page.assert_contains("From: 2023 <a href=\"/?country=BY&#38;country=IR&#38;type=visit\"");
    page.assert_contains("Clear all filters");
}

#[tokio::test]
async fn the_form_shows_the_current_filters_and_order_flip_keeps_them() {
    let app = fixture_app().await;
    let page = view(&app, "country=IR&type=visit&from=2023-05").await;
    page.assert_contains("<option value=\"IR\" selected>Iran</option>");
    page.assert_contains("value=\"visit\" checked");
    page.assert_contains("name=\"from\" type=\"text\" value=\"2023-05\"");
    page.assert_contains("href=\"/?country=IR&#38;type=visit&#38;from=2023-05&#38;order=asc\">Oldest first");
    page.assert_contains(
        "href=\"/?country=IR&#38;type=visit&#38;from=2023-05\" aria-current=\"true\">Newest first",
    );
}

#[tokio::test]
async fn bad_parameters_get_a_400_page_that_says_what_was_wrong() {
    let app = fixture_app().await;
    for (query, message) in [
        ("type=party", "“party” is not an event type"),
        ("from=2023-02-30", "The “from” date is not usable"),
        ("to=yesterday", "The “to” date is not usable"),
        ("country=XX", "no country with the code “XX”"),
        ("country=Iran", "“Iran” is not a country code"),
        (
            "from=2024&to=2023",
            "The range starts (2024) after it ends (2023)",
        ),
        ("from=2023&from=2024", "“from” is given more than once"),
    ] {
        let page = view(&app, query).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        page.assert_contains(message);
        page.assert_contains("<html");
    }
}

#[tokio::test]
async fn actor_filter_finds_the_actor_by_any_alias_or_script_and_redirects_to_its_id() {
    let app = fixture_app().await;
    for spelling in ["Amir%20Nasirzadeh", "nasirzade", "NASIRZ%C4%80DEH"] {
        let page = view(&app, &format!("actor={spelling}")).await;
        assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT, "{spelling}");
        assert_eq!(page.location(), Some("/?actor=5"), "{spelling}");
    }
    let cyrillic = view(&app, "actor=%D0%A5%D1%80%D0%B5%D0%BD%D0%B8%D0%BD").await; // Хренин
    assert_eq!(cyrillic.location(), Some("/?actor=3"));
    let page = view(&app, "actor=3").await;
    assert_lists(&page, &[VISIT, MOU, MINSK]);
    page.assert_contains("Actor: Viktor Khrenin");
    page.assert_contains("name=\"actor\" type=\"text\" value=\"Viktor Khrenin\"");
}

#[tokio::test]
async fn an_exact_name_wins_over_partial_matches_and_ambiguity_is_explained() {
    let app = fixture_app().await;
    // "Iran" is exactly a country's name, though other names contain it.
    assert_eq!(view(&app, "actor=iran").await.location(), Some("/?actor=1"));
    let ambiguous = view(&app, "actor=a").await;
    assert_eq!(ambiguous.status, StatusCode::BAD_REQUEST);
    ambiguous.assert_contains("matches several actors");
    ambiguous.assert_contains("Mohammad Reza Ashtiani (actor=4)");
    let unknown = view(&app, "actor=Napoleon").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    unknown.assert_contains("No actor is called “Napoleon”");
    assert_eq!(view(&app, "actor=999").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tag_and_outlet_filters_keep_events_with_that_tag_or_source() {
    let app = fixture_app().await;
    assert_lists(&view(&app, "tag=drones").await, &[MOU]);
    assert_lists(
        &view(&app, "outlet=Unidentified+news+outlet").await,
        &[MOU, MINSK],
    );
    // Outlets match whatever their case; the address keeps the stored spelling.
    let page = view(&app, "outlet=the+cradle").await;
    assert_eq!(page.location(), Some("/?outlet=The+Cradle"));
    assert_eq!(view(&app, "tag=unicorns").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        view(&app, "outlet=Nowhere+Times").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_lists(
        &view(
            &app,
            "country=BY&actor=3&type=agreement&tag=drones&outlet=The+Cradle",
        )
        .await,
        &[MOU],
    );
}

#[tokio::test]
async fn editors_filter_by_publication_status_and_readers_are_sent_to_sign_in() {
    let app = fixture_app().await;
    const DRAFT: &str = "Unverified rumour about a drone plant";
    let reader = app.get("/?status=draft").await;
    assert_eq!(reader.status, StatusCode::SEE_OTHER);
    assert_eq!(reader.location(), Some("/login?next=%2F%3Fstatus%3Ddraft"));
    let home = app.get("/").await;
    home.assert_lacks(r#"name="status""#);

    app.add_user("Eddie", "editor", "editor password 1").await;
    let editor = app.sign_in("Eddie", "editor password 1").await;
    let drafts = app.get_as(&editor, "/?status=draft").await;
    assert_eq!(drafts.status, StatusCode::OK, "{}", drafts.body);
    for title in ALL {
        drafts.assert_lacks(&format!(">{title}</a></h4>"));
    }
    drafts.assert_contains(&format!(">{DRAFT}</a></h4>"));
    drafts.assert_contains("1 matching events");
    drafts.assert_contains(r#"<option value="draft" selected>Drafts</option>"#);
    drafts.assert_contains("Status: Drafts");
    // Facets count drafts only, and their links keep the status.
    drafts.assert_contains("status=draft");
    assert!(
        !drafts.body.contains(r#"href="/?country=IR""#),
        "facet links keep the status"
    );

    // Combined with other filters, in canonical order after the outlet.
    let combined = app.get_as(&editor, "/?from=2020&status=draft&tag=drones").await;
    assert_eq!(combined.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(combined.location(), Some("/?tag=drones&status=draft&from=2020"));
    // "published" is the default and left out of the address.
    let published = app.get_as(&editor, "/?status=published").await;
    assert_eq!(published.location(), Some("/"));
    let retracted = app.get_as(&editor, "/?status=retracted").await;
    assert_lists(&retracted, &[]);
    retracted.assert_contains("No retracted event matches these filters.");

    let bad = app.get_as(&editor, "/?status=secret").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    bad.assert_contains("“secret” is not a publication status");
    let twice = app.get_as(&editor, "/?status=draft&status=retracted").await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn any_view_downloads_as_csv_with_the_same_events_in_the_same_order() {
    let app = fixture_app().await;
    let page = app.get("/?country=BY&order=asc").await;
    page.assert_contains(r#"href="/timeline.csv?country=BY&#38;order=asc" download"#);
    let csv_page = app.get("/timeline.csv?country=BY&order=asc").await;
    assert_eq!(csv_page.status, StatusCode::OK, "{}", csv_page.body);
    assert_eq!(
        csv_page.headers.get("content-type").expect("type"),
        "text/csv; charset=utf-8"
    );
    let mut reader = csv::Reader::from_reader(csv_page.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "url",
            "title",
            "type",
            "agreement_kind",
            "date",
            "date_shown",
            "earliest",
            "latest",
            "precision",
            "countries",
            "actors",
            "sources"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let filter = entente::domain::filter::TimelineFilter {
        countries: vec!["BY".to_owned()],
        sort: entente::domain::filter::Sort::Date(entente::domain::filter::Order::Asc),
        ..Default::default()
    };
    let expected = app.app.db.timeline_page(&filter, None, 500).await.expect("page");
    let ids: Vec<String> = expected.entries.iter().map(|e| e.id.to_string()).collect();
    let got: Vec<String> = rows.iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(got, ids, "the same events in the same order");
    let mou = rows.iter().find(|r| &r[0] == "1").expect("event 1");
    assert_eq!(&mou[5], "2023-07-31");
    assert_eq!(&mou[7], "2023-07-31");
    assert!(mou[10].contains("Belarus") && mou[10].contains("; "), "{:?}", mou);
    assert!(mou[1].ends_with("/events/1/iran-and-belarus-sign-defense-mou-in-tehran"));

    // Other spellings lead to the canonical address; a page's position does not apply.
    let other = app.get("/timeline.csv?order=asc&country=by&limit=2").await;
    assert_eq!(other.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(other.location(), Some("/timeline.csv?country=BY&order=asc"));
    // The view's rules hold: a bad parameter is a 400, drafts need an account.
    assert_eq!(
        app.get("/timeline.csv?type=party").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/timeline.csv?status=draft").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_csv_export_larger_than_one_step_has_every_event_once() {
    let (app, published) = support::generated_app(1_300).await;
    let body = app.get("/timeline.csv").await.body;
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let ids: Vec<i64> = reader
        .records()
        .map(|r| r.expect("row")[0].parse().expect("id"))
        .collect();
    assert_eq!(ids.len() as i64, published);
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no event twice across steps");
}

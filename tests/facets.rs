//! Facets (counts per country, type, actor and tag within the current result) and the
//! histogram of events over time, with the links that narrow the view.

use crate::support;

use axum::http::StatusCode;
use support::{Page, fixture_app};

/// The facet list item for `label`, with its count: `(link, count)`, where link is
/// None for the value the view is already narrowed to.
fn facet(page: &Page, group: &str, label: &str) -> Option<(Option<String>, i64)> {
    let start = page.body.find(&format!("id=\"{group}\""))?;
    let section = &page.body[start..];
    let section = &section[..section.find("</div>").unwrap_or(section.len())];
    for item in section.split("<li>").skip(1) {
        let link = item
            .strip_prefix("<a href=\"")
            .and_then(|rest| rest.split_once("\">"))
            .map(|(href, rest)| (Some(href.replace("&#38;", "&")), rest));
        let current = item
            .strip_prefix("<strong aria-current=\"true\">")
            .map(|rest| (None, rest));
        let Some((href, rest)) = link.or(current) else {
            continue;
        };
        if rest.starts_with(&format!("{label}<")) {
            let count = rest
                .split("<span class=\"count\">")
                .nth(1)?
                .split('<')
                .next()?
                .parse()
                .ok()?;
            return Some((href, count));
        }
    }
    None
}

#[tokio::test]
async fn facets_count_values_within_the_whole_result() {
    let app = fixture_app().await;
    let page = app.get("/?limit=1").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("In these 6 events");
    // Counts cover every matching event, not only the page shown.
    assert_eq!(
        facet(&page, "facet-countries", "Belarus"),
        Some((Some("/?country=BY&limit=1".into()), 5))
    );
    assert_eq!(
        facet(&page, "facet-countries", "Iran"),
        Some((Some("/?country=IR&limit=1".into()), 3))
    );
    assert_eq!(
        facet(&page, "facet-types", "Agreement"),
        Some((Some("/?type=agreement&limit=1".into()), 2))
    );
    assert_eq!(
        facet(&page, "facet-types", "Production"),
        Some((Some("/?type=production&limit=1".into()), 1))
    );
    assert_eq!(
        facet(&page, "facet-actors", "Viktor Khrenin"),
        Some((Some("/?actor=3&limit=1".into()), 3))
    );
    // FDD reported the MOU and claimed the engineers' visit: only the claim counts.
    assert_eq!(
        facet(&page, "facet-actors", "Foundation for Defense of Democracies"),
        Some((Some("/?actor=6&limit=1".into()), 1))
    );
    assert_eq!(
        facet(&page, "facet-tags", "drones"),
        Some((Some("/?tag=drones&limit=1".into()), 1))
    );
    // Drafts count nowhere: the draft is of type "other".
    assert_eq!(facet(&page, "facet-types", "Other"), None);
}

#[tokio::test]
async fn facets_follow_the_filters_and_link_to_narrower_views() {
    let app = fixture_app().await;
    let page = app.get("/?country=BY&order=asc").await;
    page.assert_contains("In these 5 events");
    // The current value is marked, not linked; the others add themselves to the view.
    assert_eq!(facet(&page, "facet-countries", "Belarus"), Some((None, 5)));
    assert_eq!(
        facet(&page, "facet-countries", "Iran"),
        Some((Some("/?country=BY&country=IR&order=asc".into()), 3))
    );
    assert_eq!(
        facet(&page, "facet-types", "Visit"),
        Some((Some("/?country=BY&type=visit&order=asc".into()), 2))
    );
    // A search narrows the facets too.
    let page = app.get("/?q=khrenin").await;
    page.assert_contains("In these 3 events");
    assert_eq!(
        facet(&page, "facet-types", "Agreement"),
        Some((Some("/?q=khrenin&type=agreement".into()), 2))
    );
    assert_eq!(facet(&page, "facet-actors", "Gomel plant"), None);
}

#[tokio::test]
async fn the_histogram_has_a_linked_bar_per_month_and_says_what_it_leaves_out() {
    let app = fixture_app().await;
    let page = app
        .get("/?type=visit&type=agreement&type=statement&type=production")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.location());
    page.assert_contains("Matching events per month, 2023–2025.");
    page.assert_contains(
        "<a href=\"/?type=visit&#38;type=agreement&#38;type=statement&#38;type=production&#38;from=2023-07&#38;to=2023-07\" aria-label=\"July 2023: 2 events\"",
    );
    page.assert_contains("aria-label=\"May 2023: 2 events\"");
    page.assert_contains("aria-label=\"March 2025: 1 event\"");
    // Empty months are drawn as gaps without links.
    page.assert_lacks("aria-label=\"June 2023");
    page.assert_contains("1 event dated only to a year or a season is not drawn in the monthly bars.");
    // Following a bar shows that month's events.
    let july = app.get("/?from=2023-07&to=2023-07").await;
    july.assert_contains("Khrenin visits Tehran");
    july.assert_lacks("Iranian engineers visit the Gomel plant");
}

#[tokio::test]
async fn long_spans_are_drawn_per_year_and_counts_follow_new_events() {
    let app = fixture_app().await;
    app.get("/").await.assert_contains("6 published events");
    let dataset = entente::import::parse_dataset(
        r#"{"events": [{"key": "old", "title": "An early meeting", "type": "meeting", "date": "2015-04"}]}"#,
    )
    .expect("dataset parses");
    entente::import::load_dataset(&app.app.db, &dataset)
        .await
        .expect("dataset loads");
    // The cached counts were for the old collection: the new event shows at once.
    let page = app.get("/").await;
    page.assert_contains("7 published events");
    page.assert_contains("Matching events per year, 2015–2025.");
    page.assert_contains("<a href=\"/?from=2015&#38;to=2015\" aria-label=\"2015: 1 event\"");
    page.assert_contains("aria-label=\"2023: 5 events\"");
    page.assert_lacks("aria-label=\"2016");
    page.assert_lacks("not drawn in the monthly bars");
}

#[tokio::test]
async fn an_empty_view_has_no_facets_or_histogram() {
    let app = fixture_app().await;
    let page = app.get("/?q=nothingmatchesthis").await;
    page.assert_contains("0 matching events");
    page.assert_lacks("class=\"histogram\"");
    page.assert_lacks("class=\"facets\"");
}

#[tokio::test]
async fn a_write_summarises_the_unfiltered_timeline_for_its_next_reader() {
    let app = fixture_app().await;
    let db = &app.app.db;
    let everything = entente::domain::filter::TimelineFilter::default();
    // The fixture's load is a write: its summary is computed in the background.
    let mut waited = 0;
    while !db.summary_is_cached(&everything).await.expect("generation") {
        assert!(waited < 1000, "the unfiltered summary was never computed");
        waited += 1;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // A narrower view is left for its first reader.
    let narrower = entente::domain::filter::TimelineFilter {
        types: vec![entente::domain::EventType::Visit],
        ..Default::default()
    };
    assert!(!db.summary_is_cached(&narrower).await.expect("generation"));
}

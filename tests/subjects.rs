//! Tag and outlet pages (and the actor page they share their listing with): indexes with
//! counts, one page per subject with its events from the filtered timeline, and links
//! that lead there from event pages.

use crate::support;

use axum::http::StatusCode;
use support::fixture_app;

#[tokio::test]
async fn the_tag_index_lists_every_tag_with_its_published_events() {
    let app = fixture_app().await;
    let page = app.get("/tags").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<a href=\"/tags/diplomacy\">diplomacy</a> <span class=\"count\">1 event</span>");
    page.assert_contains("<a href=\"/tags/drones\">drones</a> <span class=\"count\">1 event</span>");
    page.assert_contains("href=\"/tags\" aria-current=\"page\"");
}

#[tokio::test]
async fn a_tag_page_lists_its_events_and_continues_on_the_filtered_timeline() {
    let app = fixture_app().await;
    let page = app.get("/tags/drones").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1 id=\"tag-name\">drones</h1>");
    page.assert_contains("1 published event.");
    page.assert_contains("Iran and Belarus sign defense MOU in Tehran");
    page.assert_lacks("Belarusian delegation visits Tehran");
    page.assert_contains("<a href=\"/?tag=drones&#38;order=asc\">See them on the timeline</a>");
    // Facets and the histogram of the tag's events, linking into the timeline.
    page.assert_contains("In these 1 events");
    page.assert_contains("href=\"/?country=BY&#38;tag=drones&#38;order=asc\"");
    page.assert_contains("class=\"histogram\"");
    // The timeline it leads to lists the same events.
    let timeline = app.get("/?tag=drones&order=asc").await;
    assert_eq!(timeline.status, StatusCode::OK);
    timeline.assert_contains("Iran and Belarus sign defense MOU in Tehran");
}

#[tokio::test]
async fn tag_addresses_are_exact_redirect_other_capitalizations_and_404_unknown_tags() {
    let app = fixture_app().await;
    let page = app.get("/tags/Drones").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(page.location(), Some("/tags/drones"));
    for unknown in ["/tags/nothing", "/tags/%FF"] {
        let page = app.get(unknown).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{unknown}");
        page.assert_contains("<h1");
    }
}

#[tokio::test]
async fn the_outlet_index_counts_sources_and_the_published_events_citing_them() {
    let app = fixture_app().await;
    let page = app.get("/outlets").await;
    assert_eq!(page.status, StatusCode::OK);
    // The Cradle backs five published events (the draft does not count).
    page.assert_contains(
        "<th scope=\"row\"><a href=\"/outlets/The%20Cradle\">The Cradle</a></th><td>1</td><td>5</td>",
    );
    page.assert_contains(
        "<a href=\"/outlets/Unidentified%20news%20outlet\">Unidentified news outlet</a></th><td>1</td><td>2</td>",
    );
}

#[tokio::test]
async fn an_outlet_page_lists_its_sources_and_the_events_citing_them() {
    let app = fixture_app().await;
    let page = app.get("/outlets/The%20Cradle").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("<h1 id=\"outlet-name\">The Cradle</h1>");
    page.assert_contains("1 source from The Cradle recorded.");
    page.assert_contains("5 published events.");
    page.assert_contains("<a href=\"https://example.org/cradle\" rel=\"external noopener noreferrer\">");
    page.assert_contains("cited by 5 events");
    page.assert_lacks("Iran and Bolivia");
    page.assert_contains("href=\"/?outlet=The+Cradle&#38;order=asc\"");
    // Any capitalization leads to the outlet as it is stored; unknown outlets are 404.
    let page = app.get("/outlets/the%20cradle").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(page.location(), Some("/outlets/The%20Cradle"));
    assert_eq!(app.get("/outlets/Nobody").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn event_pages_link_their_tags_and_outlets_to_those_pages() {
    let app = fixture_app().await;
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<a href=\"/tags/drones\">drones</a>");
    page.assert_contains("<a class=\"outlet\" href=\"/outlets/The%20Cradle\">The Cradle</a>");
    page.assert_contains("<a class=\"outlet\" href=\"/outlets/Unidentified%20news%20outlet\">");
    for link in [
        "/tags/drones",
        "/outlets/The%20Cradle",
        "/outlets/Unidentified%20news%20outlet",
    ] {
        assert_eq!(app.get(link).await.status, StatusCode::OK, "{link}");
    }
}

#[tokio::test]
async fn source_addresses_that_are_not_web_addresses_are_never_linked() {
    let app = fixture_app().await;
    let dataset = entente::import::parse_dataset(
        r#"{"sources": [{"key": "bad", "outlet": "Hostile Wire", "title": "A trap", "url": "javascript:alert(1)"}],
            "events": [{"key": "trap", "title": "Event citing a hostile link", "type": "statement",
                        "date": "2024-02-02", "citations": [{"source": "bad", "passage": "Words."}]}]}"#,
    )
    .expect("dataset parses");
    entente::import::load_dataset(&app.app.db, &dataset)
        .await
        .expect("dataset loads");
    let outlet = app.get("/outlets/Hostile%20Wire").await;
    assert_eq!(outlet.status, StatusCode::OK);
    outlet.assert_contains("A trap");
    outlet.assert_lacks("javascript:");
    let timeline = app.get("/?q=hostile").await;
    let start = timeline.position("href=\"/events/") + "href=\"".len();
    let end = start + timeline.body[start..].find('"').unwrap();
    let event = app.get(&timeline.body[start..end]).await;
    assert_eq!(event.status, StatusCode::OK);
    event.assert_contains("A trap");
    event.assert_lacks("javascript:");
}

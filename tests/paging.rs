//! Keyset paging: `limit` and `cursor`, next and previous links that are permalinks,
//! pages that stay put when events are added, and bad paging parameters.

use crate::support;

use axum::http::StatusCode;
use support::{Page, TestApp, fixture_app};

/// Event ids in the order the page lists them.
fn listed(page: &Page) -> Vec<i64> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body
        .split("class=\"entry-title\"><a href=\"/events/")
        .skip(1)
        .filter_map(|rest| rest.split('/').next()?.parse().ok())
        .collect()
}

/// The address a pager link points to (`rel` is "next" or "prev").
fn link(page: &Page, rel: &str) -> Option<String> {
    let end = page.body.find(&format!("\" rel=\"{rel}\""))?;
    let start = page.body[..end].rfind("href=\"")? + "href=\"".len();
    Some(page.body[start..end].replace("&#38;", "&"))
}

/// Follows `next` links from `first`, returning every page's ids.
async fn walk(app: &TestApp, first: &str) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut address = Some(first.to_owned());
    while let Some(current) = address {
        let page = app.get(&current).await;
        pages.push(listed(&page));
        address = link(&page, "next");
        assert!(pages.len() < 20, "paging does not end");
    }
    pages
}

#[tokio::test]
async fn pages_cover_every_event_once_in_order() {
    let app = fixture_app().await;
    let everything = listed(&app.get("/").await);
    assert_eq!(everything.len(), 6);
    for (query, whole) in [
        ("/?limit=2", "/"),
        ("/?order=asc&limit=4", "/?order=asc"),
        ("/?country=BY&limit=1", "/?country=BY"),
    ] {
        let pages = walk(&app, query).await;
        let all = listed(&app.get(whole).await);
        assert_eq!(pages.concat(), all, "{query}");
        assert!(
            pages[..pages.len() - 1].iter().all(|p| !p.is_empty()),
            "{query}: {pages:?}"
        );
    }
    assert_eq!(walk(&app, "/?limit=2").await.concat(), everything);
}

#[tokio::test]
async fn ranked_search_results_page_too() {
    let app = fixture_app().await;
    let all = listed(&app.get("/?q=khrenin").await);
    assert_eq!(all.len(), 3);
    assert_eq!(walk(&app, "/?q=khrenin&limit=1").await.concat(), all);
}

#[tokio::test]
async fn previous_links_lead_back_and_the_first_page_has_none() {
    let app = fixture_app().await;
    let first = app.get("/?limit=2").await;
    assert_eq!(link(&first, "prev"), None);
    first.assert_lacks(">First page<");
    let second = app.get(&link(&first, "next").expect("a next page")).await;
    second.assert_contains("rel=\"prev\">← Newer events</a>");
    second.assert_contains("rel=\"next\">Older events →</a>");
    second.assert_contains("<a href=\"/?limit=2\">First page</a>");
    let third = app.get(&link(&second, "next").expect("a third page")).await;
    let back = app.get(&link(&third, "prev").expect("a previous page")).await;
    assert_eq!(listed(&back), listed(&second));
    let back_again = app.get(&link(&back, "prev").expect("the first page")).await;
    assert_eq!(listed(&back_again), listed(&first));
    assert_eq!(
        link(&back_again, "prev"),
        None,
        "nothing is newer than the first page"
    );
    // The last page has no next link.
    assert_eq!(link(&third, "next"), None);
    // Oldest-first pages name their neighbours accordingly.
    let asc = app.get("/?order=asc&limit=2").await;
    asc.assert_contains("rel=\"next\">Later events →</a>");
}

#[tokio::test]
async fn a_page_link_shows_the_same_events_after_new_ones_are_added() {
    let app = fixture_app().await;
    let first = app.get("/?limit=2").await;
    let second_address = link(&first, "next").expect("a next page");
    let before = listed(&app.get(&second_address).await);

    // Two newer events arrive: an offset-based page 2 would now show other events.
    let dataset = entente::import::parse_dataset(
        r#"{"events": [
            {"key": "new-1", "title": "Newest meeting", "type": "meeting", "date": "2026-01-10"},
            {"key": "new-2", "title": "Another new meeting", "type": "meeting", "date": "2026-02"}
        ]}"#,
    )
    .expect("dataset parses");
    entente::import::load_dataset(&app.app.db, &dataset)
        .await
        .expect("dataset loads");

    let first_now = listed(&app.get("/?limit=2").await);
    assert_ne!(listed(&first), first_now, "the new events lead the first page");
    assert_eq!(listed(&app.get(&second_address).await), before);
    let after = app.get(&second_address).await;
    let newer = app.get(&link(&after, "prev").expect("a previous page")).await;
    assert_eq!(
        listed(&newer),
        listed(&first),
        "the page before still leads to the same events"
    );
}

#[tokio::test]
async fn page_size_and_cursor_are_part_of_the_canonical_address() {
    let app = fixture_app().await;
    let page = app.get("/?limit=50").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(page.location(), Some("/"));
    let first = app.get("/?limit=2&country=BY").await;
    assert_eq!(first.location(), Some("/?country=BY&limit=2"));
    let first = app.get("/?country=BY&limit=2").await;
    let next = link(&first, "next").expect("a next page");
    assert!(next.starts_with("/?country=BY&limit=2&cursor="), "{next}");
    // The filter form keeps the page size but starts again from the first page.
    first.assert_contains("<input type=\"hidden\" name=\"limit\" value=\"2\">");
    first.assert_lacks("name=\"cursor\"");
    // Chips and sort links lead to first pages.
    let second = app.get(&next).await;
    second.assert_contains("Country: Belarus <a href=\"/?limit=2\"");
    second.assert_contains("<a href=\"/?country=BY&#38;order=asc&#38;limit=2\">Oldest first</a>");
}

#[tokio::test]
async fn bad_page_sizes_and_cursors_get_a_400_page_that_says_why() {
    let app = fixture_app().await;
    for (query, message) in [
        ("limit=0", "is not a page size: use a number from 1 to 500"),
        ("limit=501", "is not a page size"),
        ("limit=99999999999999999999", "is not a page size"),
        ("limit=ten", "is not a page size"),
        ("limit=2&limit=3", "“limit” is given more than once"),
        ("cursor=garbage", "This page link is damaged"),
        ("cursor=ad_2023-02-30_2023-03-01_4", "This page link is damaged"),
        ("cursor=ar_NaN_4", "This page link is damaged"),
        ("cursor=ar_-1.5_4", "belongs to a view sorted another way"),
        (
            "q=iran&cursor=ad_2023-01-01_2023-01-01_4",
            "belongs to a view sorted another way",
        ),
    ] {
        let page = app.get(&format!("/?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}: {}", page.body);
        page.assert_contains(message);
    }
}

#[tokio::test]
async fn a_cursor_past_the_end_offers_the_first_page() {
    let app = fixture_app().await;
    let page = app.get("/?cursor=ad_1000-01-01_1000-01-01_1").await;
    assert_eq!(listed(&page), Vec::<i64>::new());
    page.assert_contains("This page is past the last event of this view.");
    page.assert_contains("<a href=\"/\">First page</a>");
}

#[tokio::test]
async fn ranked_search_pages_cover_every_match_once_both_ways() {
    let app = fixture_app().await;
    let all = listed(&app.get("/?q=belarus").await);
    assert!(all.len() >= 3, "{all:?}");
    let forward = walk(&app, "/?q=belarus&limit=1").await;
    assert_eq!(forward.concat(), all, "best match first, each once");
    // From the last page back to the first through the "prev" links.
    let mut address = Some("/?q=belarus&limit=1".to_owned());
    let mut last = String::new();
    while let Some(current) = address {
        let page = app.get(&current).await;
        address = link(&page, "next");
        last = current;
    }
    let mut backward = Vec::new();
    let mut address = Some(last);
    while let Some(current) = address {
        let page = app.get(&current).await;
        backward.push(listed(&page));
        address = link(&page, "prev");
        assert!(backward.len() < 20, "paging back does not end");
    }
    backward.reverse();
    assert_eq!(backward.concat(), all);
}
